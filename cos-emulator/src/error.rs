//! COS-style errors with XML bodies.

use crate::xml::escape as xml_escape;

/// A COS error response.
#[derive(Debug, Clone)]
pub struct CosError {
    /// HTTP status.
    pub status: u16,
    /// COS error code, e.g. `SignatureDoesNotMatch`.
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
    /// Extra XML elements (e.g. StringToSign, FormatString).
    pub extra: Vec<(&'static str, String)>,
}

impl CosError {
    /// New error.
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        CosError {
            status,
            code,
            message: message.into(),
            extra: Vec::new(),
        }
    }

    /// Adds an extra element.
    pub fn with(mut self, tag: &'static str, value: impl Into<String>) -> Self {
        self.extra.push((tag, value.into()));
        self
    }

    /// XML body.
    pub fn to_xml(&self, request_id: &str, resource: &str) -> String {
        let mut s = String::from("<?xml version='1.0' encoding='utf-8' ?>\n<Error>");
        s.push_str(&format!("<Code>{}</Code>", self.code));
        s.push_str(&format!("<Message>{}</Message>", xml_escape(&self.message)));
        s.push_str(&format!("<Resource>{}</Resource>", xml_escape(resource)));
        s.push_str(&format!("<RequestId>{request_id}</RequestId>"));
        s.push_str(&format!("<TraceId>{request_id}</TraceId>"));
        for (k, v) in &self.extra {
            s.push_str(&format!("<{k}>{}</{k}>", xml_escape(v)));
        }
        s.push_str("</Error>");
        s
    }
}

/// Shorthands.
pub fn bad_request(code: &'static str, msg: impl Into<String>) -> CosError {
    CosError::new(400, code, msg)
}

/// 403.
pub fn forbidden(code: &'static str, msg: impl Into<String>) -> CosError {
    CosError::new(403, code, msg)
}

/// 500 from an I/O error (message is generic: never leak paths).
pub fn internal(e: impl std::fmt::Display) -> CosError {
    CosError::new(500, "InternalError", format!("internal error: {e}"))
}

/// Result alias.
pub type CosResult<T> = Result<T, CosError>;

/// 500 from an I/O error.
pub fn ioe(e: std::io::Error) -> CosError {
    internal(e)
}

/// 404 NoSuchKey.
pub fn not_found(key: &str) -> CosError {
    CosError::new(
        404,
        "NoSuchKey",
        format!("The specified key does not exist: {key}"),
    )
}

/// 403 AccessDenied.
pub fn access_denied() -> CosError {
    forbidden("AccessDenied", "Access Denied.")
}

/// 405 MethodNotAllowed.
pub fn method_not_allowed() -> CosError {
    CosError::new(
        405,
        "MethodNotAllowed",
        "The specified method is not allowed",
    )
}

//! CORS: preflight answers and the headers added to actual responses.

use crate::ctx::Ctx;
use crate::error::{forbidden, CosResult};
use crate::http::Response;
use crate::state::State;

/// Answers an OPTIONS preflight: allowed origin and method, or 403 `AccessForbidden`.
pub fn preflight(st: &State, ctx: &Ctx<'_>) -> CosResult<Response> {
    let deny = || {
        forbidden(
            "AccessForbidden",
            "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
        )
    };
    let origin = ctx.h("origin").ok_or_else(deny)?;
    let method = ctx.h("access-control-request-method").ok_or_else(deny)?;
    if !origin_allowed(st, origin) || !matches!(method, "GET" | "PUT" | "POST" | "DELETE" | "HEAD")
    {
        return Err(deny());
    }
    let mut r = Response::new(200)
        .header("Access-Control-Allow-Origin", origin)
        .header(
            "Access-Control-Allow-Methods",
            "GET, PUT, POST, DELETE, HEAD",
        )
        .header("Access-Control-Expose-Headers", expose_headers(st))
        .header("Access-Control-Max-Age", "600")
        .header(
            "Vary",
            "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
        );
    if let Some(h) = ctx.h("access-control-request-headers") {
        r.set("Access-Control-Allow-Headers", h);
    }
    Ok(r)
}

/// Response headers a browser may read (`Access-Control-Expose-Headers`).
pub const EXPOSE: &str = "ETag, Content-Length, Content-Range, Date, Location, x-cos-request-id, x-cos-hash-crc64ecma, x-cos-version-id, x-cos-server-side-encryption, x-cos-server-side-encryption-customer-algorithm, x-cos-server-side-encryption-customer-key-MD5, x-cos-server-side-encryption-cos-kms-key-id, x-cos-server-side-encryption-context, x-cos-storage-class, x-cos-object-type, x-cos-next-append-position";

/// The `Access-Control-Expose-Headers` sent: [`EXPOSE`], or `--cors-expose-headers` (to
/// simulate a bucket whose CORS rule forgets a header, e.g. `ETag`).
pub fn expose_headers(st: &State) -> &str {
    st.cfg.cors_expose_headers.as_deref().unwrap_or(EXPOSE)
}

/// Whether `--cors-origin` allows this origin (`*` allows any).
pub fn origin_allowed(st: &State, origin: &str) -> bool {
    st.cfg
        .cors_origins
        .iter()
        .any(|o| o == "*" || o.eq_ignore_ascii_case(origin.trim_end_matches('/')))
}

//! COS credentials: a SecretId/SecretKey pair and an optional STS security token.
//!
//! See [temporary credentials](https://cloud.tencent.com/document/product/436/14048) and
//! protocol §1 "Temporary credentials". The secret key is zeroized on drop and never printed.

use core::fmt;
use zeroize::Zeroizing;

use crate::error::{err, Result};

/// A SecretId / SecretKey pair, plus the `x-cos-security-token` of temporary credentials.
///
/// `Debug` prints the SecretId only; the key and token are redacted.
#[derive(Clone)]
pub struct Credentials {
    secret_id: String,
    secret_key: Zeroizing<String>,
    security_token: Option<Zeroizing<String>>,
}

fn check_printable(what: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(err!(InvalidCredentials, "{} must not be empty", what));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(err!(
            InvalidCredentials,
            "{} contains a control character; copy it again without line breaks",
            what
        ));
    }
    Ok(())
}

impl Credentials {
    /// Permanent (or temporary, see [`Credentials::with_security_token`]) credentials.
    ///
    /// # Errors
    /// `ERR_INVALID_CREDENTIALS` if either part is empty or contains control characters.
    pub fn new(secret_id: impl Into<String>, secret_key: impl Into<String>) -> Result<Self> {
        let secret_id = secret_id.into();
        let secret_key = Zeroizing::new(secret_key.into());
        check_printable("secretId", &secret_id)?;
        if secret_id.contains(['&', '=', ';', ' ']) {
            return Err(err!(InvalidCredentials, "secretId contains '&', '=', ';' or a space, which cannot appear in an Authorization value"));
        }
        check_printable("secretKey", &secret_key)?;
        Ok(Self {
            secret_id,
            secret_key,
            security_token: None,
        })
    }

    /// Adds the STS token of temporary credentials (sent as `x-cos-security-token`).
    ///
    /// # Errors
    /// `ERR_INVALID_CREDENTIALS` if the token is empty or contains control characters.
    pub fn with_security_token(mut self, token: impl Into<String>) -> Result<Self> {
        let token = Zeroizing::new(token.into());
        check_printable("securityToken", &token)?;
        self.security_token = Some(token);
        Ok(self)
    }

    /// The SecretId (`q-ak`). Public, safe to log.
    #[must_use]
    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    pub(crate) fn secret_key(&self) -> &[u8] {
        self.secret_key.as_bytes()
    }

    /// The STS token, if these are temporary credentials.
    #[must_use]
    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_deref().map(String::as_str)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"** REDACTED **")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "** REDACTED **"),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn debug_redacts() {
        let c = Credentials::new("AKIDx", "topsecretkey")
            .and_then(|c| c.with_security_token("tok-en"))
            .expect("valid");
        let d = format!("{c:?}");
        assert!(d.contains("AKIDx"));
        assert!(!d.contains("topsecretkey"));
        assert!(!d.contains("tok-en"));
    }

    #[test]
    fn rejects_bad() {
        for (id, key) in [
            ("", "k"),
            ("id", ""),
            ("id\n", "k"),
            ("id", "k\r"),
            ("a&b", "k"),
        ] {
            assert_eq!(
                Credentials::new(id, key).map(|_| ()).unwrap_err().code(),
                ErrorCode::InvalidCredentials
            );
        }
    }
}

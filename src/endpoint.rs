//! Buckets, regions and endpoints (protocol §6,
//! [regions and endpoints](https://www.tencentcloud.com/document/product/436/6224)).

use core::fmt;

use crate::error::{cat, err, q, Result};
use crate::text::{find_str, parse_u64, replace_str, rsplit_once_ascii, split_ascii};

/// A bucket name `<name>-<APPID>`: `name` is `[a-z0-9-]` without leading/trailing `-`,
/// APPID is decimal digits (SDK regex `^[a-z0-9-]+-[0-9]+$`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket(String);

impl Bucket {
    /// Validates a full bucket name such as `examplebucket-1250000000`.
    ///
    /// # Errors
    /// `ERR_INVALID_BUCKET` with what is wrong.
    pub fn new(name: &str) -> Result<Self> {
        let bad = |why: &str| {
            err!(
                InvalidBucket,
                "bucket {} is invalid: {}; expected <name>-<APPID>, e.g. examplebucket-1250000000",
                q(name),
                why
            )
        };
        let Some((short, appid)) = rsplit_once_ascii(name, b'-') else {
            return Err(bad("missing the -APPID suffix"));
        };
        if appid.is_empty() || !appid.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("the APPID suffix must be digits"));
        }
        if short.is_empty() {
            return Err(bad("the name before -APPID is empty"));
        }
        if !short
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(bad("only lowercase letters, digits and '-' are allowed"));
        }
        if short.starts_with('-') || short.ends_with('-') {
            return Err(bad("the name must not start or end with '-'"));
        }
        // <bucket>.cos.<region>.myqcloud.com must stay within DNS limits; COS caps the
        // bucket name (with APPID) at 50 characters.
        if name.len() > 50 {
            return Err(bad("longer than 50 characters"));
        }
        Ok(Self(name.to_owned()))
    }

    /// The full name, e.g. `examplebucket-1250000000`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A COS region such as `ap-guangzhou` (`[a-z0-9-]+`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region(String);

impl Region {
    /// Validates a region identifier.
    ///
    /// # Errors
    /// `ERR_INVALID_REGION` if empty, too long, or not `[a-z0-9-]`.
    pub fn new(region: &str) -> Result<Self> {
        if region.is_empty()
            || region.len() > 40
            || region.starts_with('-')
            || region.ends_with('-')
            || !region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(err!(InvalidRegion, "region {} is invalid: expected lowercase letters, digits and '-', e.g. ap-guangzhou", q(region)));
        }
        Ok(Self(region.to_owned()))
    }

    /// The region identifier.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `https` (default) or `http`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Protocol {
    /// TLS; the only protocol over which SSE-C keys may travel.
    #[default]
    Https,
    /// Plain HTTP; for local development endpoints.
    Http,
}

impl Protocol {
    /// Parses `https`, `http`, `https:` or `http:` (case-insensitive).
    ///
    /// # Errors
    /// `ERR_INVALID_ENDPOINT` for anything else.
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim_end_matches(':').to_ascii_lowercase().as_str() {
            "https" => Ok(Self::Https),
            "http" => Ok(Self::Http),
            _ => Err(err!(
                InvalidEndpoint,
                "protocol must be 'https' or 'http', got {}",
                q(s)
            )),
        }
    }

    /// `https` or `http`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Https => "https",
            Self::Http => "http",
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Self::Https => 443,
            Self::Http => 80,
        }
    }
}

/// Where requests for one bucket go: scheme, host, port and addressing style.
///
/// The default is virtual-hosted `https://<bucket>.cos.<region>.myqcloud.com`.
/// A custom domain (CDN, accelerate, or a local emulator such as `127.0.0.1:9000`) may
/// contain `{Bucket}` and `{Region}` placeholders like the official SDKs' `Domain` option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    bucket: Bucket,
    region: Region,
    protocol: Protocol,
    host: String,
    port: Option<u16>,
    path_style: bool,
    insecure_local: bool,
}

fn validate_host(host: &str) -> Result<()> {
    let ok = !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && !host.starts_with(['.', '-'])
        && find_str(host, "..").is_none();
    if ok {
        Ok(())
    } else {
        Err(err!(
            InvalidEndpoint,
            "domain {} is not a host name: use letters, digits, '.' and '-' (and optionally :port)",
            q(host)
        ))
    }
}

impl Endpoint {
    /// The standard endpoint `https://<bucket>.cos.<region>.myqcloud.com`.
    ///
    /// # Errors
    /// `ERR_INVALID_BUCKET` / `ERR_INVALID_REGION`.
    pub fn new(bucket: &str, region: &str) -> Result<Self> {
        let bucket = Bucket::new(bucket)?;
        let region = Region::new(region)?;
        let host = cat!("{}.cos.{}.myqcloud.com", bucket.as_str(), region.as_str());
        Ok(Self {
            bucket,
            region,
            protocol: Protocol::Https,
            host,
            port: None,
            path_style: false,
            insecure_local: false,
        })
    }

    /// Replaces the host with a custom domain. `{Bucket}` and `{Region}` are substituted;
    /// a `:port` suffix is accepted.
    ///
    /// # Errors
    /// `ERR_INVALID_ENDPOINT` if the result is not a host name or the port is not 1-65535.
    pub fn with_domain(mut self, domain: &str) -> Result<Self> {
        let domain = replace_str(
            &replace_str(domain, "{Bucket}", self.bucket.as_str()),
            "{Region}",
            self.region.as_str(),
        )
        .to_ascii_lowercase();
        let (host, port) = match rsplit_once_ascii(&domain, b':') {
            Some((h, p)) => (h.to_owned(), Some(parse_port(p)?)),
            None => (domain, None),
        };
        validate_host(&host)?;
        self.host = host;
        if port.is_some() {
            self.port = port;
        }
        Ok(self)
    }

    /// Sets `https` or `http`.
    #[must_use]
    pub fn with_protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Sets an explicit port (default: the protocol's).
    ///
    /// # Errors
    /// `ERR_INVALID_ENDPOINT` for port 0.
    pub fn with_port(mut self, port: u32) -> Result<Self> {
        self.port = Some(
            u16::try_from(port)
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| err!(InvalidEndpoint, "port must be 1-65535, got {}", port))?,
        );
        Ok(self)
    }

    /// Path-style addressing (`<host>/<bucket>/<key>`), signed as `/<bucket>/<key>`. COS
    /// refuses it for buckets created after 2024-01-01; meant for local emulators.
    #[must_use]
    pub fn with_path_style(mut self, path_style: bool) -> Self {
        self.path_style = path_style;
        self
    }

    /// Allows SSE-C key material over plain `http`, but only when the host is loopback
    /// (a local emulator, see [`Endpoint::is_loopback`]); ignored for any other host.
    #[must_use]
    pub fn allow_insecure_local(mut self, allow: bool) -> Self {
        self.insecure_local = allow;
        self
    }

    /// Refuses to send SSE-C key material to this endpoint over plain HTTP (protocol §3:
    /// whether COS requires HTTPS is UNCONFIRMED, so the safe choice is to require it),
    /// unless [`Endpoint::allow_insecure_local`] was set AND the host is loopback.
    ///
    /// # Errors
    /// `ERR_SSE_C_REQUIRES_HTTPS`.
    pub fn check_key_transport(&self) -> Result<()> {
        if secret_transport_allowed(self.protocol.as_str(), &self.host, self.insecure_local) {
            return Ok(());
        }
        let hint = if self.insecure_local {
            "allowInsecureLocal only applies to literal loopback endpoints (localhost, 127.x.y.z, [::1])"
        } else {
            "use an https endpoint (or, for a local emulator on localhost/127.x, set allowInsecureLocal)"
        };
        Err(err!(
            SseCRequiresHttps,
            "an SSE-C key would be sent over plain http to {}; {}",
            self.host_header(),
            hint
        ))
    }

    /// The bucket.
    #[must_use]
    pub fn bucket(&self) -> &Bucket {
        &self.bucket
    }

    /// The region.
    #[must_use]
    pub fn region(&self) -> &Region {
        &self.region
    }

    /// The protocol.
    #[must_use]
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The `Host` header value a client sends: host plus `:port` when not the default.
    #[must_use]
    pub fn host_header(&self) -> String {
        match self.port {
            Some(p) if p != self.protocol.default_port() => cat!("{}:{}", self.host, p),
            _ => self.host.clone(),
        }
    }

    /// `scheme://host[:port]`.
    #[must_use]
    pub fn origin(&self) -> String {
        cat!("{}://{}", self.protocol.as_str(), self.host_header())
    }

    /// Whether the host is literal loopback: an IPv4 literal in `127.0.0.0/8`, `[::1]` or
    /// exactly `localhost`. Not `*.localhost`: common resolvers send those names to DNS.
    #[must_use]
    pub fn is_loopback(&self) -> bool {
        is_loopback_host(&self.host)
    }

    /// The decoded path that is signed (`UriPathname`) for an object path (`/key`).
    pub(crate) fn signed_path(&self, object_path: &str) -> String {
        if self.path_style {
            cat!("/{}{}", self.bucket.as_str(), object_path)
        } else {
            object_path.to_owned()
        }
    }
}

fn parse_port(p: &str) -> Result<u16> {
    parse_u64(p)
        .and_then(|n| u16::try_from(n).ok())
        .filter(|p| *p != 0)
        .ok_or_else(|| err!(InvalidEndpoint, "port must be 1-65535, got {}", q(p)))
}

/// Whether `host` (a URL's host name, as the WHATWG URL parser gives it: IPv6 in brackets)
/// is literal loopback: an IPv4 literal in `127.0.0.0/8`, `[::1]` (or `::1`), or `localhost`
/// in any case. Not `*.localhost`: common resolvers send those names to DNS. The one home of
/// this rule: [`Endpoint::is_loopback`] and the JS side (`pkg-template/transport.js`, through
/// the `isLoopbackHost` export of every wasm entry) ask it.
#[must_use]
pub fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") || host == "[::1]" || host == "::1" {
        return true;
    }
    // An IPv4 literal in 127.0.0.0/8, not a name that merely starts with "127."
    // (`127.0.0.1.nip.io` resolves anywhere).
    let octets: Vec<&str> = split_ascii(host, b'.').collect();
    octets.len() == 4
        && octets.first() == Some(&"127")
        && octets
            .iter()
            .all(|o| !o.is_empty() && o.len() <= 3 && parse_u64(o).is_some_and(|n| n <= 255))
}

/// Where a secret (an SSE-C key, a security token, a reply carrying secret keys) may
/// travel: over `https`, or over plain `http` to a loopback host ([`is_loopback_host`])
/// when the caller allowed it (`allowInsecureLocal`, a local emulator). `scheme` is the
/// URL scheme with or without its colon (`https`, `http:`), in any case; any other scheme
/// is refused. The one home of this rule: [`Endpoint::check_key_transport`] and the JS side
/// (`pkg-template/transport.js`, through the `secretTransportAllowed` export) ask it.
#[must_use]
pub fn secret_transport_allowed(scheme: &str, host: &str, allow_local: bool) -> bool {
    let scheme = scheme.strip_suffix(':').unwrap_or(scheme);
    if scheme.eq_ignore_ascii_case("https") {
        return true;
    }
    scheme.eq_ignore_ascii_case("http") && allow_local && is_loopback_host(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn buckets() {
        assert!(Bucket::new("examplebucket-1250000000").is_ok());
        assert!(Bucket::new("a-b-1").is_ok());
        for bad in [
            "",
            "nobucket",
            "Upper-125",
            "-a-125",
            "a--125x",
            "a_b-125",
            "a-",
            "-125",
        ] {
            assert_eq!(
                Bucket::new(bad).unwrap_err().code(),
                ErrorCode::InvalidBucket,
                "{bad}"
            );
        }
    }

    #[test]
    fn hosts() {
        let e = Endpoint::new("examplebucket-1250000000", "ap-guangzhou").expect("ok");
        assert_eq!(
            e.origin(),
            "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com"
        );
        let e = e
            .with_domain("127.0.0.1:9000")
            .expect("ok")
            .with_protocol(Protocol::Http)
            .with_path_style(true);
        assert_eq!(e.origin(), "http://127.0.0.1:9000");
        assert!(e.is_loopback());
        for host in [
            "127.0.0.1.nip.io",
            "127.evil.example",
            "127.0.0",
            "127.0.0.256",
            "127001.0.0.1",
            "b-1.localhost",
            "evil.localhost",
            "localhost.evil.example",
        ] {
            let e = Endpoint::new("b-1", "ap-x")
                .expect("ok")
                .with_domain(host)
                .expect("ok");
            assert!(!e.is_loopback(), "{host}");
        }
        for host in ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST"] {
            let e = Endpoint::new("b-1", "ap-x")
                .expect("ok")
                .with_domain(host)
                .expect("ok");
            assert!(e.is_loopback(), "{host}");
        }
        assert_eq!(e.signed_path("/k"), "/examplebucket-1250000000/k");
        let e = Endpoint::new("b-1", "ap-x").expect("ok");
        let e = e
            .with_domain("{Bucket}.cos.accelerate.myqcloud.com")
            .expect("ok");
        assert_eq!(e.host_header(), "b-1.cos.accelerate.myqcloud.com");
        assert!(Endpoint::new("b-1", "ap-x")
            .expect("ok")
            .with_domain("a/b")
            .is_err());
        assert!(Endpoint::new("b-1", "ap-x")
            .expect("ok")
            .with_domain("a:0")
            .is_err());
        assert!(Endpoint::new("b-1", "AP").is_err());
    }
}

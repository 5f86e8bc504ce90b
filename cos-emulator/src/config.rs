//! Emulator configuration (the CLI flags and the JSON config file map onto it).

use crate::auth::Credential;
use crate::sts::Role;
use std::path::PathBuf;

/// Emulator configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Port on 127.0.0.1 (0 = pick a free one).
    pub port: u16,
    /// Data directory.
    pub data_dir: PathBuf,
    /// Accepted credentials.
    pub credentials: Vec<Credential>,
    /// Allowed CORS origins (`*` = any).
    pub cors_origins: Vec<String>,
    /// `Access-Control-Expose-Headers` instead of the default list (`cors::EXPOSE`).
    pub cors_expose_headers: Option<String>,
    /// Fixed clock (unix seconds) for signature checks; None = system clock.
    pub now: Option<i64>,
    /// Offset added to the system clock (seconds), to simulate skew.
    pub clock_offset: i64,
    /// How far in the future a KeyTime start may lie (seconds).
    pub max_future_skew: i64,
    /// Create a new SSE-COS master key at start-up.
    pub rotate_master_key: bool,
    /// Extra master keys (id, 32-byte key); the last one becomes current.
    pub master_keys: Vec<(String, Vec<u8>)>,
    /// KMS key ids to create (`id` or `id:disabled`).
    pub kms_keys: Vec<String>,
    /// Log one line per request to stderr.
    pub log: bool,
    /// Enforce the 1 MB minimum part size (COS does).
    pub enforce_min_part_size: bool,
    /// Accept POST form fields that the policy does not constrain (default: refuse them, the
    /// emulator's strict stance; see README).
    pub lenient_post_fields: bool,
    /// Roles STS `AssumeRole` may assume (ARN and the role's CAM policy).
    pub roles: Vec<Role>,
    /// Region of the CAM resource (`qcs::cos:<region>:…`) of requests whose Host names none
    /// (path-style, `<bucket>.localhost`); a `<bucket>.cos.<region>.myqcloud.com` Host wins.
    pub region: String,
    /// Buckets in strict signing mode (`--strict-sign`, `*` = every bucket): a signed write
    /// must sign the Content-Type and Content-Length it sends (`strict_sign`).
    pub strict_sign: Vec<String>,
}

/// Region assumed when the Host names none.
pub const DEFAULT_REGION: &str = "ap-guangzhou";

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 0,
            data_dir: PathBuf::from(".cos-emulator"),
            credentials: Vec::new(),
            cors_origins: Vec::new(),
            cors_expose_headers: None,
            now: None,
            clock_offset: 0,
            max_future_skew: 900,
            rotate_master_key: false,
            master_keys: Vec::new(),
            kms_keys: Vec::new(),
            log: true,
            enforce_min_part_size: true,
            lenient_post_fields: false,
            roles: Vec::new(),
            region: DEFAULT_REGION.to_string(),
            strict_sign: Vec::new(),
        }
    }
}

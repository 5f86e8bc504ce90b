//! Server-side encryption: what a request asks for (SSE-COS, SSE-KMS, SSE-C), the data key of
//! a new or stored object, and the echo headers.

use crate::crypto::{self, Alg};
use crate::ctx::{Auth, Ctx, Getter};
use crate::error::{bad_request, internal, ioe, CosError, CosResult};
use crate::http::Response;
use crate::state::State;
use crate::store::SseMeta;
use crate::util::{self, b64, hmac_sha256, md5, random_bytes, unb64};

/// A data algorithm and key.
pub type DataKey = Option<(Alg, Vec<u8>)>;

/// What the request asks for.
#[derive(Debug, Clone)]
pub enum SseReq {
    /// Nothing.
    None,
    /// SSE-COS.
    Cos(Alg),
    /// SSE-KMS.
    Kms {
        /// Data algorithm.
        alg: Alg,
        /// CMK id.
        key_id: Option<String>,
        /// Context (base64 JSON).
        context: Option<String>,
    },
    /// SSE-C.
    C(CustomerKey),
}

/// An SSE-C key from request headers.
#[derive(Clone)]
pub struct CustomerKey {
    /// Algorithm.
    pub alg: Alg,
    /// Raw key.
    pub key: Vec<u8>,
    /// base64(MD5(key)).
    pub md5: String,
}

impl std::fmt::Debug for CustomerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CustomerKey({:?}, <redacted>)", self.alg)
    }
}

/// The SSE-COS / SSE-KMS request header.
pub const SSE: &str = "x-cos-server-side-encryption";
/// The SSE-C request headers (`algorithm`, `key`, `key-MD5` follow).
pub const SSEC: &str = "x-cos-server-side-encryption-customer-";
/// The SSE-C headers of a copy source.
pub const SSEC_SRC: &str = "x-cos-copy-source-server-side-encryption-customer-";

/// Parses an SSE-C triple with the given header prefix. Errors use `code`.
pub fn parse_ssec(
    get: Getter<'_>,
    prefix: &str,
    code: &'static str,
) -> CosResult<Option<CustomerKey>> {
    let alg = get(&format!("{prefix}algorithm"));
    let key = get(&format!("{prefix}key"));
    let md5h = get(&format!("{prefix}key-md5"));
    if alg.is_none() && key.is_none() && md5h.is_none() {
        return Ok(None);
    }
    let (Some(alg), Some(key), Some(md5h)) = (alg, key, md5h) else {
        return Err(bad_request(
            code,
            format!("SSE-C requires {prefix}algorithm, {prefix}key and {prefix}key-MD5"),
        ));
    };
    let alg = Alg::parse(alg.trim())
        .ok_or_else(|| bad_request(code, "The SSE-C algorithm must be AES256 or SM4"))?;
    let raw =
        unb64(key.trim()).ok_or_else(|| bad_request(code, "The SSE-C key is not valid base64"))?;
    if raw.len() != alg.key_len() {
        return Err(bad_request(
            code,
            format!(
                "The SSE-C key must be {} bytes for {}",
                alg.key_len(),
                alg.name()
            ),
        ));
    }
    if md5h.trim() != b64(&md5(&raw)) {
        return Err(bad_request(
            code,
            "The calculated MD5 hash of the key did not match the hash that was provided",
        ));
    }
    Ok(Some(CustomerKey {
        alg,
        key: raw,
        md5: md5h.trim().to_string(),
    }))
}

/// Parses the upload-side SSE headers (or form fields).
pub fn parse_sse(get: Getter<'_>) -> CosResult<SseReq> {
    let mode = get(SSE);
    let kms_id = get(&format!("{SSE}-cos-kms-key-id"));
    let ctxh = get(&format!("{SSE}-context"));
    let kms_alg = get(&format!("{SSE}-cos-kms-algorithm"));
    let ssec = parse_ssec(get, SSEC, "InvalidArgument")?;
    let req = match mode.as_deref().map(str::trim) {
        None => {
            if kms_id.is_some() || ctxh.is_some() || kms_alg.is_some() {
                return Err(bad_request(
                    "InvalidArgument",
                    "KMS headers require x-cos-server-side-encryption: cos/kms",
                ));
            }
            match ssec {
                Some(k) => SseReq::C(k),
                None => SseReq::None,
            }
        }
        Some(m) => {
            if ssec.is_some() {
                return Err(bad_request(
                    "InvalidArgument",
                    "x-cos-server-side-encryption cannot be combined with SSE-C headers",
                ));
            }
            match m {
                "AES256" | "SM4" => {
                    if kms_id.is_some() || ctxh.is_some() || kms_alg.is_some() {
                        return Err(bad_request(
                            "InvalidArgument",
                            "KMS headers require x-cos-server-side-encryption: cos/kms",
                        ));
                    }
                    SseReq::Cos(Alg::parse(m).unwrap_or(Alg::Aes256))
                }
                "cos/kms" => {
                    let alg = match kms_alg.as_deref().map(str::trim) {
                        None | Some("AES256") => Alg::Aes256,
                        Some("SM4") => Alg::Sm4,
                        Some(_) => return Err(bad_request(
                            "InvalidArgument",
                            "x-cos-server-side-encryption-cos-kms-algorithm must be SM4 or AES256",
                        )),
                    };
                    if let Some(c) = &ctxh {
                        let ok = unb64(c.trim())
                            .and_then(|j| serde_json::from_slice::<serde_json::Value>(&j).ok())
                            .map(|v| v.is_object())
                            .unwrap_or(false);
                        if !ok {
                            return Err(bad_request(
                                "InvalidArgument",
                                "x-cos-server-side-encryption-context must be base64 of a JSON object",
                            ));
                        }
                    }
                    SseReq::Kms {
                        alg,
                        key_id: kms_id
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty()),
                        context: ctxh.map(|s| s.trim().to_string()),
                    }
                }
                _ => {
                    return Err(bad_request(
                        "InvalidArgument",
                        "x-cos-server-side-encryption must be AES256, SM4 or cos/kms",
                    ))
                }
            }
        }
    };
    Ok(req)
}

/// A local KMS key that exists (400 `KmsKeyNotExist`) and is enabled (400 `KmsKeyDisabled`).
pub fn kms_key<'a>(st: &'a State, id: &str) -> CosResult<&'a crate::keys::KmsKey> {
    let k = st
        .keys
        .kms
        .get(id)
        .ok_or_else(|| bad_request("KmsKeyNotExist", format!("KMS key {id} does not exist")))?;
    if !k.enabled {
        return Err(bad_request(
            "KmsKeyDisabled",
            format!("KMS key {id} is disabled"),
        ));
    }
    Ok(k)
}

/// ARCHIVE and DEEP_ARCHIVE need a restore before reads and take no SSE.
pub fn is_archive(class: &str) -> bool {
    matches!(class, "ARCHIVE" | "DEEP_ARCHIVE")
}

/// Resolves the SSE for a new object: returns the metadata and the data key.
pub fn prepare_sse(
    st: &State,
    bucket: &str,
    req: SseReq,
    storage_class: &str,
) -> CosResult<(Option<SseMeta>, DataKey)> {
    let req = match req {
        SseReq::None => {
            let cfg = st.store.bucket_config(bucket).map_err(ioe)?;
            match cfg.encryption {
                // bucket default encryption does not apply to archive objects (UNCONFIRMED)
                Some(_) if is_archive(storage_class) => SseReq::None,
                Some((a, _)) if a == "AES256" => SseReq::Cos(Alg::Aes256),
                Some((a, _)) if a == "SM4" => SseReq::Cos(Alg::Sm4),
                Some((_, k)) => SseReq::Kms {
                    alg: Alg::Aes256,
                    key_id: k,
                    context: None,
                },
                None => SseReq::None,
            }
        }
        r => {
            if is_archive(storage_class) {
                return Err(bad_request(
                    "SSEHeaderNotAllowed",
                    "Server-side encryption is not supported for ARCHIVE / DEEP_ARCHIVE objects",
                ));
            }
            r
        }
    };
    match req {
        SseReq::None => Ok((None, None)),
        SseReq::Cos(alg) => {
            let dk = random_bytes(alg.key_len());
            let mk_id = st.keys.current_master.clone();
            let mk = st
                .keys
                .master
                .get(&mk_id)
                .ok_or_else(|| internal("no master key"))?;
            let wrapped = crypto::wrap_key(mk, b"sse-cos", &dk).map_err(ioe)?;
            Ok((
                Some(SseMeta {
                    mode: "cos".into(),
                    alg: alg.name().into(),
                    wrapped_key: Some(wrapped),
                    master_key_id: Some(mk_id),
                    ..Default::default()
                }),
                Some((alg, dk)),
            ))
        }
        SseReq::Kms {
            alg,
            key_id,
            context,
        } => {
            let id = key_id.unwrap_or_else(|| st.keys.default_kms.clone());
            let k = kms_key(st, &id)?;
            let dk = random_bytes(alg.key_len());
            let aad = context.clone().unwrap_or_default();
            let wrapped = crypto::wrap_key(&k.material, aad.as_bytes(), &dk).map_err(ioe)?;
            Ok((
                Some(SseMeta {
                    mode: "kms".into(),
                    alg: alg.name().into(),
                    wrapped_key: Some(wrapped),
                    kms_key_id: Some(id),
                    kms_context: context,
                    ..Default::default()
                }),
                Some((alg, dk)),
            ))
        }
        SseReq::C(ck) => {
            let salt = random_bytes(16);
            let mac = hmac_sha256(&salt, &ck.key);
            Ok((
                Some(SseMeta {
                    mode: "c".into(),
                    alg: ck.alg.name().into(),
                    customer_key_md5: Some(ck.md5.clone()),
                    customer_salt: Some(salt),
                    customer_hmac: Some(mac),
                    ..Default::default()
                }),
                Some((ck.alg, ck.key)),
            ))
        }
    }
}

/// 400 `SsecDecryptHeaderInvalid` (UNCONFIRMED code for SSE-C read failures, README).
pub fn ssec_error(msg: &str) -> CosError {
    bad_request("SsecDecryptHeaderInvalid", msg.to_string())
}

/// Recovers the data key of a stored object. `ssec`: the SSE-C key from the request.
pub fn data_key(
    st: &State,
    sse: &Option<SseMeta>,
    ssec: Option<&CustomerKey>,
) -> CosResult<Option<(Alg, Vec<u8>)>> {
    let Some(s) = sse else {
        if ssec.is_some() {
            return Err(ssec_error(
                "The object was not stored with SSE-C; do not send SSE-C headers",
            ));
        }
        return Ok(None);
    };
    let alg = Alg::parse(&s.alg).ok_or_else(|| internal("bad stored algorithm"))?;
    match s.mode.as_str() {
        "c" => {
            let ck = ssec.ok_or_else(|| {
                ssec_error("The object is stored with SSE-C: the SSE-C key headers are required")
            })?;
            let (Some(salt), Some(mac)) = (&s.customer_salt, &s.customer_hmac) else {
                return Err(internal("bad SSE-C metadata"));
            };
            if ck.alg != alg || !util::ct_eq(&hmac_sha256(salt, &ck.key), mac) {
                return Err(ssec_error(
                    "The SSE-C key does not match the key the object was stored with",
                ));
            }
            Ok(Some((alg, ck.key.clone())))
        }
        "cos" | "kms" => {
            if ssec.is_some() {
                return Err(ssec_error(
                    "The object was not stored with SSE-C; do not send SSE-C headers",
                ));
            }
            let wrapped = s
                .wrapped_key
                .as_ref()
                .ok_or_else(|| internal("missing wrapped key"))?;
            let dk = if s.mode == "cos" {
                let id = s.master_key_id.clone().unwrap_or_default();
                let mk = st
                    .keys
                    .master
                    .get(&id)
                    .ok_or_else(|| internal("master key not found"))?;
                crypto::unwrap_key(mk, b"sse-cos", wrapped).map_err(ioe)?
            } else {
                let id = s.kms_key_id.clone().unwrap_or_default();
                let k = kms_key(st, &id)?;
                let aad = s.kms_context.clone().unwrap_or_default();
                crypto::unwrap_key(&k.material, aad.as_bytes(), wrapped).map_err(ioe)?
            };
            Ok(Some((alg, dk)))
        }
        _ => Err(internal("bad SSE mode")),
    }
}

/// Whether HEAD of an SSE-C object without the key headers answers with the metadata (the
/// data key is not needed to read it). UNCONFIRMED: COS's HEAD Object page lists the SSE-C
/// headers without saying what a keyless HEAD gets; both official SDKs HEAD a copy source
/// without its key before copying, which a 400 would break. With the headers, the key is
/// still checked. README lists it.
pub const SSEC_HEAD_WITHOUT_KEY: bool = true;

/// Whether the stored object is SSE-C.
pub fn is_ssec(sse: &Option<SseMeta>) -> bool {
    sse.as_ref().is_some_and(|s| s.mode == "c")
}

/// Puts the request's SSE-C key MD5 into the (in-memory) metadata for the echo header.
pub fn echo_customer_key(sse: &mut Option<SseMeta>, ck: Option<&CustomerKey>) {
    if let (Some(s), Some(ck)) = (sse.as_mut(), ck) {
        if s.mode == "c" {
            s.customer_key_md5 = Some(ck.md5.clone());
        }
    }
}

/// Adds the SSE echo headers.
pub fn sse_headers(r: &mut Response, sse: &Option<SseMeta>) {
    let Some(s) = sse else { return };
    match s.mode.as_str() {
        "cos" => r.set(SSE, s.alg.clone()),
        "kms" => {
            r.set(SSE, "cos/kms");
            if let Some(k) = &s.kms_key_id {
                r.set("x-cos-server-side-encryption-cos-kms-key-id", k.clone());
            }
            if s.alg == "SM4" {
                r.set("x-cos-server-side-encryption-cos-kms-algorithm", "SM4");
            }
            if let Some(c) = &s.kms_context {
                r.set("x-cos-server-side-encryption-context", c.clone());
            }
        }
        "c" => {
            r.set(
                "x-cos-server-side-encryption-customer-algorithm",
                s.alg.clone(),
            );
            if let Some(m) = &s.customer_key_md5 {
                r.set("x-cos-server-side-encryption-customer-key-MD5", m.clone());
            }
        }
        _ => {}
    }
}

/// SSE-COS through a pre-signed upload URL: 400 `InvalidArgument` (UNCONFIRMED, README).
pub fn forbid_presigned_sse_cos(ctx: &Ctx<'_>, req: &SseReq) -> CosResult<()> {
    if matches!(ctx.auth, Auth::Presigned(_)) && matches!(req, SseReq::Cos(_)) {
        return Err(bad_request(
            "InvalidArgument",
            "SSE-COS cannot be requested through a pre-signed URL upload",
        ));
    }
    Ok(())
}

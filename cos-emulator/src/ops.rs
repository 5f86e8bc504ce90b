//! COS operations: objects, POST forms, multipart, copy, append, restore, bucket encryption.

use crate::crypto::{self, Alg, ChunkCipher, ObjectReader, ObjectWriter, Segment};
use crate::error::{bad_request, forbidden, internal, CosError, CosResult};
use crate::http::{Body, BodyReader, Response};
use crate::server::{Auth, Ctx, State};
use crate::store::{ObjectMeta, PartMeta, SseMeta, UploadMeta};
use crate::util::{
    self, b64, crc64_combine, hex, hmac_sha256, iso_date, md5, random_bytes, random_hex, unb64,
    url_encode, xml_all, xml_escape, xml_first, xml_unescape,
};
use std::fs::File;
use std::io::{self, BufWriter, Read};
use std::path::PathBuf;

/// Maximum single PUT / POST size (5 GB).
const MAX_PUT: u64 = 5 * 1024 * 1024 * 1024;
/// Minimum non-last part size (1 MB).
const MIN_PART: u64 = 1024 * 1024;

type Getter<'a> = &'a dyn Fn(&str) -> Option<String>;
/// A data algorithm and key.
pub type DataKey = Option<(Alg, Vec<u8>)>;

/// Internal error from I/O.
pub fn ioe(e: io::Error) -> CosError {
    internal(e)
}

fn not_found(key: &str) -> CosError {
    CosError::new(
        404,
        "NoSuchKey",
        format!("The specified key does not exist: {key}"),
    )
}

fn access_denied() -> CosError {
    forbidden("AccessDenied", "Access Denied.")
}

/// Routes a request.
pub fn dispatch(st: &State, ctx: &Ctx<'_>, body: &mut BodyReader<'_>) -> CosResult<Response> {
    let m = ctx.head.method.as_str();
    let Some(bucket) = ctx.bucket.as_deref() else {
        // service level
        return match m {
            "GET" => {
                require_signed(ctx)?;
                list_buckets(st)
            }
            _ => Err(CosError::new(
                405,
                "MethodNotAllowed",
                "The specified method is not allowed",
            )),
        };
    };
    if ctx.key.is_empty() {
        return bucket_op(st, ctx, bucket, body);
    }
    let q = |n: &str| ctx.has_q(n);
    match m {
        "PUT" if q("partNumber") && q("uploadId") => {
            require_signed(ctx)?;
            if ctx.h("x-cos-copy-source").is_some() {
                upload_part_copy(st, ctx, bucket)
            } else {
                upload_part(st, ctx, bucket, body)
            }
        }
        "PUT" if q("acl") => {
            require_signed(ctx)?;
            put_acl(st, ctx, bucket)
        }
        "PUT" if ctx.h("x-cos-copy-source").is_some() => {
            require_signed(ctx)?;
            copy_object(st, ctx, bucket)
        }
        "PUT" => {
            require_signed(ctx)?;
            put_object(st, ctx, bucket, body)
        }
        "GET" if q("uploadId") => {
            require_signed(ctx)?;
            list_parts(st, ctx, bucket)
        }
        "GET" | "HEAD" => get_object(st, ctx, bucket, m == "HEAD"),
        "DELETE" if q("uploadId") => {
            require_signed(ctx)?;
            abort_upload(st, ctx, bucket)
        }
        "DELETE" => {
            require_signed(ctx)?;
            st.store.delete(bucket, &ctx.key).map_err(ioe)?;
            Ok(Response::new(204))
        }
        "POST" if q("uploads") => {
            require_signed(ctx)?;
            initiate_upload(st, ctx, bucket)
        }
        "POST" if q("uploadId") => {
            require_signed(ctx)?;
            complete_upload(st, ctx, bucket, body)
        }
        "POST" if q("append") => {
            require_signed(ctx)?;
            append_object(st, ctx, bucket, body)
        }
        "POST" if q("restore") => {
            require_signed(ctx)?;
            restore_object(st, ctx, bucket, body)
        }
        _ => Err(CosError::new(
            405,
            "MethodNotAllowed",
            "The specified method is not allowed",
        )),
    }
}

fn require_signed(ctx: &Ctx<'_>) -> CosResult<()> {
    if ctx.signed() {
        Ok(())
    } else {
        Err(access_denied())
    }
}

fn list_buckets(st: &State) -> CosResult<Response> {
    let mut x = String::from("<?xml version='1.0' encoding='utf-8' ?>\n<ListAllMyBucketsResult><Owner><ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>100000000001</DisplayName></Owner><Buckets>");
    for (b, created) in st.store.list_buckets() {
        x.push_str(&format!(
            "<Bucket><Name>{}</Name><Location>ap-guangzhou</Location><CreationDate>{}</CreationDate></Bucket>",
            xml_escape(&b),
            iso_date(created)
        ));
    }
    x.push_str("</Buckets></ListAllMyBucketsResult>");
    Ok(Response::new(200).xml(x))
}

fn bucket_op(
    st: &State,
    ctx: &Ctx<'_>,
    bucket: &str,
    body: &mut BodyReader<'_>,
) -> CosResult<Response> {
    let m = ctx.head.method.as_str();
    if m == "POST"
        && !ctx.has_q("delete")
        && ctx
            .h("content-type")
            .map(|c| c.to_ascii_lowercase().starts_with("multipart/form-data"))
            .unwrap_or(false)
    {
        return crate::post::post_object(st, ctx, bucket, body);
    }
    require_signed(ctx)?;
    let now = st.now();
    st.store.ensure_bucket(bucket, now).map_err(ioe)?;
    match m {
        "PUT" if ctx.has_q("encryption") => put_bucket_encryption(st, ctx, bucket, body),
        "GET" if ctx.has_q("encryption") => get_bucket_encryption(st, bucket),
        "DELETE" if ctx.has_q("encryption") => {
            let mut cfg = st.store.bucket_config(bucket).map_err(ioe)?;
            cfg.encryption = None;
            st.store.write_bucket_config(bucket, &cfg).map_err(ioe)?;
            Ok(Response::new(204))
        }
        "GET" if ctx.has_q("uploads") => list_uploads(st, ctx, bucket),
        "PUT" | "HEAD" => Ok(Response::new(200)),
        "GET" => list_objects(st, ctx, bucket),
        "DELETE" => {
            if st.store.delete_bucket(bucket).map_err(ioe)? {
                Ok(Response::new(204))
            } else {
                Err(CosError::new(
                    409,
                    "BucketNotEmpty",
                    "The bucket you tried to delete is not empty",
                ))
            }
        }
        _ => Err(CosError::new(
            405,
            "MethodNotAllowed",
            "The specified method is not allowed",
        )),
    }
}

fn list_objects(st: &State, ctx: &Ctx<'_>, bucket: &str) -> CosResult<Response> {
    let prefix = ctx.q("prefix").unwrap_or("");
    let delimiter = ctx.q("delimiter").unwrap_or("");
    let marker = ctx.q("marker").unwrap_or("");
    let max: usize = ctx
        .q("max-keys")
        .map(|m| {
            m.parse()
                .map_err(|_| bad_request("InvalidArgument", "invalid max-keys"))
        })
        .transpose()?
        .unwrap_or(1000)
        .min(1000);
    let mut contents = String::new();
    let mut prefixes: Vec<String> = Vec::new();
    let mut count = 0usize;
    let mut truncated = false;
    let mut next_marker = String::new();
    for m in st.store.list(bucket) {
        if !m.key.starts_with(prefix) || m.key.as_str() <= marker {
            continue;
        }
        let rest = &m.key[prefix.len()..];
        if !delimiter.is_empty() {
            if let Some(i) = rest.find(delimiter) {
                let cp = format!("{prefix}{}", &rest[..i + delimiter.len()]);
                if prefixes.last() == Some(&cp) {
                    continue;
                }
                if count >= max {
                    truncated = true;
                    break;
                }
                prefixes.push(cp.clone());
                count += 1;
                next_marker = cp;
                continue;
            }
        }
        if count >= max {
            truncated = true;
            break;
        }
        let entry_key = m.key.clone();
        contents.push_str(&format!(
            "<Contents><Key>{}</Key><LastModified>{}</LastModified><ETag>&quot;{}&quot;</ETag><Size>{}</Size><Owner><ID>1250000000</ID><DisplayName>1250000000</DisplayName></Owner><StorageClass>{}</StorageClass></Contents>",
            xml_escape(&entry_key),
            iso_date(m.last_modified),
            m.etag,
            m.size,
            m.storage_class
        ));
        count += 1;
        next_marker = entry_key;
    }
    let mut x = format!(
        "<?xml version='1.0' encoding='utf-8' ?>\n<ListBucketResult><Name>{}</Name><Prefix>{}</Prefix><Marker>{}</Marker><MaxKeys>{}</MaxKeys>",
        xml_escape(bucket),
        xml_escape(prefix),
        xml_escape(marker),
        max
    );
    if !delimiter.is_empty() {
        x.push_str(&format!("<Delimiter>{}</Delimiter>", xml_escape(delimiter)));
    }
    x.push_str(&format!("<IsTruncated>{truncated}</IsTruncated>"));
    if truncated {
        x.push_str(&format!(
            "<NextMarker>{}</NextMarker>",
            xml_escape(&next_marker)
        ));
    }
    x.push_str(&contents);
    for p in prefixes {
        x.push_str(&format!(
            "<CommonPrefixes><Prefix>{}</Prefix></CommonPrefixes>",
            xml_escape(&p)
        ));
    }
    x.push_str("</ListBucketResult>");
    Ok(Response::new(200).xml(x))
}

fn put_bucket_encryption(
    st: &State,
    ctx: &Ctx<'_>,
    bucket: &str,
    body: &mut BodyReader<'_>,
) -> CosResult<Response> {
    let raw = body
        .read_all(64 * 1024)
        .map_err(|_| bad_request("MalformedXML", "The XML you provided was not well-formed"))?;
    check_content_md5_bytes(ctx.h("content-md5"), &raw)?;
    let xml = String::from_utf8(raw)
        .map_err(|_| bad_request("MalformedXML", "The XML you provided was not well-formed"))?;
    let malformed = || bad_request("MalformedXML", "The XML you provided was not well-formed");
    if !xml.contains("<ServerSideEncryptionConfiguration") {
        return Err(malformed());
    }
    let rule = xml_first(&xml, "ApplyServerSideEncryptionByDefault").ok_or_else(malformed)?;
    let alg = xml_first(rule, "SSEAlgorithm")
        .ok_or_else(malformed)?
        .trim();
    let kms_id = xml_first(rule, "KMSMasterKeyID")
        .map(|s| xml_unescape(s.trim()))
        .filter(|s| !s.is_empty());
    match alg {
        "AES256" | "SM4" => {
            if kms_id.is_some() {
                return Err(bad_request(
                    "InvalidArgument",
                    "KMSMasterKeyID is only allowed with SSEAlgorithm KMS",
                ));
            }
        }
        "KMS" => {
            if let Some(id) = &kms_id {
                kms_key(st, id)?;
            }
        }
        _ => {
            return Err(bad_request(
                "InvalidArgument",
                "SSEAlgorithm must be AES256, SM4 or KMS",
            ))
        }
    }
    let mut cfg = st.store.bucket_config(bucket).map_err(ioe)?;
    cfg.encryption = Some((alg.to_string(), kms_id));
    st.store.write_bucket_config(bucket, &cfg).map_err(ioe)?;
    Ok(Response::new(200))
}

fn get_bucket_encryption(st: &State, bucket: &str) -> CosResult<Response> {
    let cfg = st.store.bucket_config(bucket).map_err(ioe)?;
    let Some((alg, kms)) = cfg.encryption else {
        return Err(CosError::new(
            404,
            "NoSuchEncryptionConfiguration",
            "The server side encryption configuration was not found",
        ));
    };
    let mut x = format!("<?xml version='1.0' encoding='utf-8' ?>\n<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>{alg}</SSEAlgorithm>");
    if let Some(k) = kms {
        x.push_str(&format!(
            "<KMSMasterKeyID>{}</KMSMasterKeyID>",
            xml_escape(&k)
        ));
    }
    x.push_str("</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>");
    Ok(Response::new(200).xml(x))
}

// ---------------------------------------------------------------- SSE

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

const SSE: &str = "x-cos-server-side-encryption";
const SSEC: &str = "x-cos-server-side-encryption-customer-";
const SSEC_SRC: &str = "x-cos-copy-source-server-side-encryption-customer-";

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

fn kms_key<'a>(st: &'a State, id: &str) -> CosResult<&'a crate::keys::KmsKey> {
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

fn is_archive(class: &str) -> bool {
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

fn ssec_error(msg: &str) -> CosError {
    bad_request("SsecDecryptHeaderInvalid", msg.to_string())
}

/// Recovers the data key of a stored object. `ssec`: the SSE-C key from the request.
fn data_key(
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

// ---------------------------------------------------------------- common upload bits

/// Object attributes taken from headers or form fields.
pub struct Attrs {
    /// Content-Type.
    pub content_type: String,
    /// Stored headers.
    pub headers: Vec<(String, String)>,
    /// ACL.
    pub acl: String,
    /// Storage class.
    pub storage_class: String,
}

const STORED_HEADERS: [&str; 5] = [
    "Cache-Control",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Language",
    "Expires",
];

/// Parses upload attributes. `meta_names`: all field/header names (to find x-cos-meta-*).
pub fn parse_attrs(get: Getter<'_>, names: &[String], default_ct: &str) -> CosResult<Attrs> {
    let mut headers = Vec::new();
    for h in STORED_HEADERS {
        if let Some(v) = get(&h.to_ascii_lowercase()) {
            headers.push((h.to_string(), v));
        }
    }
    let mut total = 0usize;
    for n in names {
        let ln = n.to_ascii_lowercase();
        if let Some(suffix) = ln.strip_prefix("x-cos-meta-") {
            if suffix.is_empty() {
                return Err(bad_request("InvalidArgument", "empty x-cos-meta- name"));
            }
            if let Some(v) = get(&ln) {
                if v.len() + ln.len() > 2048 {
                    return Err(bad_request(
                        "InvalidArgument",
                        "x-cos-meta-* value exceeds 2 KB",
                    ));
                }
                total += v.len() + ln.len();
                if !headers.iter().any(|(k, _)| *k == ln) {
                    headers.push((ln, v));
                }
            }
        }
    }
    if total > 4096 {
        return Err(bad_request(
            "InvalidArgument",
            "x-cos-meta-* headers exceed 4 KB in total",
        ));
    }
    let acl = match get("x-cos-acl").as_deref().map(str::trim) {
        None => "default".to_string(),
        Some(a @ ("private" | "public-read" | "public-read-write" | "default")) => a.to_string(),
        Some(_) => return Err(bad_request("InvalidArgument", "invalid x-cos-acl")),
    };
    let storage_class = parse_storage_class(get("x-cos-storage-class").as_deref())?;
    Ok(Attrs {
        content_type: get("content-type").unwrap_or_else(|| default_ct.to_string()),
        headers,
        acl,
        storage_class,
    })
}

fn parse_storage_class(v: Option<&str>) -> CosResult<String> {
    match v.map(|s| s.trim().to_ascii_uppercase()) {
        None => Ok("STANDARD".into()),
        Some(s)
            if matches!(
                s.as_str(),
                "STANDARD"
                    | "STANDARD_IA"
                    | "ARCHIVE"
                    | "DEEP_ARCHIVE"
                    | "INTELLIGENT_TIERING"
                    | "MAZ_STANDARD"
                    | "MAZ_STANDARD_IA"
                    | "MAZ_INTELLIGENT_TIERING"
            ) =>
        {
            Ok(s)
        }
        Some(_) => Err(bad_request(
            "InvalidArgument",
            "invalid x-cos-storage-class",
        )),
    }
}

/// Parses a Content-MD5 value (InvalidDigest when malformed).
pub fn parse_content_md5(v: Option<&str>) -> CosResult<Option<[u8; 16]>> {
    match v {
        None => Ok(None),
        Some(s) => {
            let raw = unb64(s.trim()).filter(|r| r.len() == 16).ok_or_else(|| {
                bad_request(
                    "InvalidDigest",
                    "The Content-MD5 you specified is not valid",
                )
            })?;
            let mut a = [0u8; 16];
            a.copy_from_slice(&raw);
            Ok(Some(a))
        }
    }
}

fn check_content_md5_bytes(v: Option<&str>, data: &[u8]) -> CosResult<()> {
    if let Some(want) = parse_content_md5(v)? {
        if want != md5(data) {
            return Err(bad_request(
                "BadDigest",
                "The Content-MD5 you specified did not match what was received",
            ));
        }
    }
    Ok(())
}

/// A finished temp data file.
pub struct Written {
    /// Temp path.
    pub tmp: PathBuf,
    /// Plaintext size.
    pub size: u64,
    /// Plaintext MD5.
    pub md5: [u8; 16],
    /// Stored-bytes MD5.
    pub stored_md5: [u8; 16],
    /// CRC-64.
    pub crc: u64,
    /// Segment (when encrypted).
    pub segment: Option<Segment>,
}

/// Streams `src` into a fsynced temp file, encrypting with `enc`.
pub fn write_temp(
    st: &State,
    src: &mut dyn Read,
    enc: Option<&(Alg, Vec<u8>)>,
) -> CosResult<Written> {
    let tmp = st.store.tmp_path();
    let res = (|| -> io::Result<Written> {
        let f = File::create(&tmp)?;
        let (cipher, segment) = match enc {
            Some((alg, key)) => {
                let mut prefix = [0u8; 8];
                prefix.copy_from_slice(&random_bytes(8));
                (
                    Some(ChunkCipher::new(*alg, key.clone(), prefix)?),
                    Some(prefix),
                )
            }
            None => (None, None),
        };
        let mut w = ObjectWriter::new(BufWriter::with_capacity(256 * 1024, f), cipher);
        w.write_from(src)?;
        let size = w.size;
        let crc = w.crc.value();
        let md5 = util::md5_finish(std::mem::take(&mut w.md5));
        let (bw, stored_md5) = w.finish()?;
        let stored_md5 = util::md5_finish(stored_md5);
        let f = bw.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        Ok(Written {
            tmp: tmp.clone(),
            size,
            md5,
            stored_md5,
            crc,
            segment: segment.map(|prefix| Segment { size, prefix }),
        })
    })();
    res.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        if e.kind() == io::ErrorKind::UnexpectedEof || e.kind() == io::ErrorKind::InvalidData {
            bad_request("IncompleteBody", "The request body terminated unexpectedly")
        } else if e.kind() == io::ErrorKind::TimedOut || e.kind() == io::ErrorKind::WouldBlock {
            CosError::new(400, "RequestTimeout", "Your socket connection to the server was not read from or written to within the timeout period")
        } else {
            internal(e)
        }
    })
}

fn etag_for(sse: &Option<SseMeta>, w: &Written) -> String {
    match sse.as_ref().map(|s| s.mode.as_str()) {
        // SSE-KMS and SSE-C ETags differ from the plaintext MD5 on COS
        Some("kms") | Some("c") => hex(&w.stored_md5),
        _ => hex(&w.md5),
    }
}

fn write_response_headers(r: &mut Response, meta: &ObjectMeta) {
    r.set("ETag", format!("\"{}\"", meta.etag));
    r.set("x-cos-hash-crc64ecma", meta.crc64.to_string());
    sse_headers(r, &meta.sse);
}

/// Shared tail of PUT / POST: commit the written data as `key`.
pub fn commit_new(
    st: &State,
    bucket: &str,
    key: &str,
    attrs: Attrs,
    sse: Option<SseMeta>,
    w: Written,
    content_md5: Option<[u8; 16]>,
) -> CosResult<ObjectMeta> {
    if let Some(want) = content_md5 {
        if want != w.md5 {
            let _ = std::fs::remove_file(&w.tmp);
            return Err(bad_request(
                "BadDigest",
                "The Content-MD5 you specified did not match what was received",
            ));
        }
    }
    let etag = etag_for(&sse, &w);
    let data_file = st.store.place_data(bucket, key, &w.tmp).map_err(ioe)?;
    let meta = ObjectMeta {
        key: key.to_string(),
        size: w.size,
        etag,
        crc64: w.crc,
        last_modified: util::system_now(),
        content_type: attrs.content_type,
        headers: attrs.headers,
        acl: attrs.acl,
        storage_class: attrs.storage_class,
        restored: false,
        object_type: "normal".into(),
        data_file,
        segments: w.segment.into_iter().collect(),
        sse,
    };
    st.store.commit(bucket, &meta, None).map_err(ioe)?;
    Ok(meta)
}

fn header_getter<'a>(ctx: &'a Ctx<'a>) -> impl Fn(&str) -> Option<String> + 'a {
    move |n: &str| ctx.h(&n.to_ascii_lowercase()).map(str::to_string)
}

fn header_names(ctx: &Ctx<'_>) -> Vec<String> {
    ctx.headers.iter().map(|(k, _)| k.clone()).collect()
}

fn forbid_presigned_sse_cos(ctx: &Ctx<'_>, req: &SseReq) -> CosResult<()> {
    if matches!(ctx.auth, Auth::Presigned(_)) && matches!(req, SseReq::Cos(_)) {
        return Err(bad_request(
            "InvalidArgument",
            "SSE-COS cannot be requested through a pre-signed URL upload",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------- PUT / GET / HEAD

fn put_object(
    st: &State,
    ctx: &Ctx<'_>,
    bucket: &str,
    body: &mut BodyReader<'_>,
) -> CosResult<Response> {
    st.store.ensure_bucket(bucket, st.now()).map_err(ioe)?;
    if ctx.key.ends_with('/') && body.declared_len().unwrap_or(0) > 0 {
        // COS allows "folder" objects; they must be empty
        return Err(bad_request(
            "InvalidArgument",
            "A key ending in / must have an empty body",
        ));
    }
    if body.declared_len().unwrap_or(0) > MAX_PUT {
        return Err(bad_request(
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size (5 GB)",
        ));
    }
    if ctx.h("content-length").is_none() && ctx.h("transfer-encoding").is_none() {
        return Err(CosError::new(
            411,
            "MissingContentLength",
            "You must provide the Content-Length HTTP header",
        ));
    }
    let get = header_getter(ctx);
    let attrs = parse_attrs(&get, &header_names(ctx), "application/octet-stream")?;
    let req = parse_sse(&get)?;
    forbid_presigned_sse_cos(ctx, &req)?;
    let content_md5 = parse_content_md5(ctx.h("content-md5"))?;
    let (sse, enc) = prepare_sse(st, bucket, req, &attrs.storage_class)?;
    let w = write_temp(st, body, enc.as_ref())?;
    let meta = commit_new(st, bucket, &ctx.key, attrs, sse, w, content_md5)?;
    let mut r = Response::new(200);
    write_response_headers(&mut r, &meta);
    Ok(r)
}

fn parse_range(v: &str, size: u64) -> CosResult<Option<(u64, u64)>> {
    let Some(spec) = v.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None); // multi-range: serve the whole object
    }
    let Some((a, b)) = spec.split_once('-') else {
        return Ok(None);
    };
    let bad = || {
        CosError::new(
            416,
            "InvalidRange",
            "The requested range is not satisfiable",
        )
    };
    let (a, b) = (a.trim(), b.trim());
    let (start, end) = if a.is_empty() {
        let n: u64 = b.parse().map_err(|_| bad())?;
        if n == 0 {
            return Err(bad());
        }
        (size.saturating_sub(n), size)
    } else {
        let s: u64 = a.parse().map_err(|_| bad())?;
        let e = if b.is_empty() {
            size
        } else {
            let e: u64 = b.parse().map_err(|_| bad())?;
            if e < s {
                return Ok(None);
            }
            (e + 1).min(size)
        };
        (s, e)
    };
    if start >= size {
        return Err(bad());
    }
    Ok(Some((start, end)))
}

fn get_object(st: &State, ctx: &Ctx<'_>, bucket: &str, head_only: bool) -> CosResult<Response> {
    let meta = st
        .store
        .get_meta(bucket, &ctx.key)
        .map_err(ioe)?
        .ok_or_else(|| not_found(&ctx.key))?;
    if !ctx.signed() {
        let public = matches!(meta.acl.as_str(), "public-read" | "public-read-write");
        if !public {
            return Err(access_denied());
        }
        if meta.sse.as_ref().map(|s| s.mode == "kms").unwrap_or(false) {
            return Err(forbidden(
                "AccessDenied",
                "Objects encrypted with SSE-KMS can only be accessed with a valid signature",
            ));
        }
    }
    if ctx.h(SSE).is_some() {
        return Err(bad_request(
            "InvalidArgument",
            "x-cos-server-side-encryption is not allowed on GET/HEAD",
        ));
    }
    let get = header_getter(ctx);
    let ssec = parse_ssec(&get, SSEC, "SsecDecryptHeaderInvalid")?;
    let enc = data_key(st, &meta.sse, ssec.as_ref())?;
    if !head_only && is_archive(&meta.storage_class) && !meta.restored {
        return Err(forbidden(
            "InvalidObjectState",
            "The operation is not valid for the object's storage class; restore it first",
        ));
    }
    let etag_q = format!("\"{}\"", meta.etag);
    if let Some(im) = ctx.h("if-match") {
        if !im.split(',').any(|e| e.trim() == etag_q || e.trim() == "*") {
            return Err(CosError::new(
                412,
                "PreconditionFailed",
                "At least one of the pre-conditions you specified did not hold",
            ));
        }
    }
    if let Some(inm) = ctx.h("if-none-match") {
        if inm
            .split(',')
            .any(|e| e.trim() == etag_q || e.trim() == "*")
        {
            let mut r = Response::new(304);
            r.set("ETag", etag_q);
            return Ok(r);
        }
    }
    let range = match ctx.h("range") {
        Some(v) if meta.size > 0 => parse_range(v, meta.size)?,
        Some(v) if v.trim().starts_with("bytes=") && !v.contains(',') => {
            return Err(CosError::new(
                416,
                "InvalidRange",
                "The requested range is not satisfiable",
            ))
        }
        _ => None,
    };
    let (start, end) = range.unwrap_or((0, meta.size));
    let mut r = Response::new(if range.is_some() { 206 } else { 200 });
    if let Some((s, e)) = range {
        r.set(
            "Content-Range",
            format!("bytes {}-{}/{}", s, e - 1, meta.size),
        );
    }
    r.set("Content-Length", (end - start).to_string());
    r.set("Accept-Ranges", "bytes");
    r.set("Last-Modified", util::http_date(meta.last_modified));
    let overrides = [
        ("response-content-type", "Content-Type"),
        ("response-content-language", "Content-Language"),
        ("response-expires", "Expires"),
        ("response-cache-control", "Cache-Control"),
        ("response-content-disposition", "Content-Disposition"),
        ("response-content-encoding", "Content-Encoding"),
    ];
    let ov = |h: &str| -> Option<String> {
        if !ctx.signed() {
            return None;
        }
        overrides
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(h))
            .and_then(|(q, _)| ctx.q(q))
            .map(str::to_string)
    };
    r.set(
        "Content-Type",
        ov("Content-Type").unwrap_or_else(|| meta.content_type.clone()),
    );
    for (k, v) in &meta.headers {
        if k.starts_with("x-cos-meta-") || ov(k).is_none() {
            r.set(k, v.clone());
        }
    }
    for (_, n) in overrides.iter().skip(1) {
        if let Some(v) = ov(n) {
            r.set(n, v);
        }
    }
    if meta.storage_class != "STANDARD" {
        r.set("x-cos-storage-class", meta.storage_class.clone());
    }
    if is_archive(&meta.storage_class) && meta.restored {
        r.set("x-cos-restore", "ongoing-request=\"false\"");
    }
    r.set("x-cos-object-type", meta.object_type.clone());
    if meta.object_type == "appendable" {
        r.set("x-cos-next-append-position", meta.size.to_string());
    }
    write_response_headers(&mut r, &meta);
    if !head_only && end > start {
        let f = st.store.open_data(bucket, &meta).map_err(ioe)?;
        let reader = ObjectReader::new(f, enc, &meta.segments, start, end).map_err(ioe)?;
        r.body = Body::Stream(Box::new(reader), end - start);
    }
    Ok(r)
}

fn put_acl(st: &State, ctx: &Ctx<'_>, bucket: &str) -> CosResult<Response> {
    let mut meta = st
        .store
        .get_meta(bucket, &ctx.key)
        .map_err(ioe)?
        .ok_or_else(|| not_found(&ctx.key))?;
    let get = header_getter(ctx);
    let attrs = parse_attrs(&get, &[], "")?;
    meta.acl = attrs.acl;
    st.store
        .commit(bucket, &meta, Some(Some(&meta.data_file.clone())))
        .map_err(ioe)?;
    Ok(Response::new(200))
}

fn restore_object(
    st: &State,
    ctx: &Ctx<'_>,
    bucket: &str,
    body: &mut BodyReader<'_>,
) -> CosResult<Response> {
    let raw = body
        .read_all(64 * 1024)
        .map_err(|_| bad_request("MalformedXML", "bad body"))?;
    check_content_md5_bytes(ctx.h("content-md5"), &raw)?;
    let xml = String::from_utf8_lossy(&raw).to_string();
    if !xml.contains("<RestoreRequest") {
        return Err(bad_request(
            "MalformedXML",
            "The XML you provided was not well-formed",
        ));
    }
    let mut meta = st
        .store
        .get_meta(bucket, &ctx.key)
        .map_err(ioe)?
        .ok_or_else(|| not_found(&ctx.key))?;
    if !is_archive(&meta.storage_class) {
        return Err(forbidden(
            "InvalidObjectState",
            "Restore is only valid for ARCHIVE / DEEP_ARCHIVE objects",
        ));
    }
    if meta.restored {
        return Ok(Response::new(200));
    }
    meta.restored = true;
    let df = meta.data_file.clone();
    st.store
        .commit(bucket, &meta, Some(Some(&df)))
        .map_err(ioe)?;
    Ok(Response::new(202))
}

// ---------------------------------------------------------------- copy

/// Parses `x-cos-copy-source` into (bucket, key).
fn parse_copy_source(v: &str) -> CosResult<(String, String)> {
    let bad = || bad_request("InvalidArgument", "invalid x-cos-copy-source");
    let v = v.trim();
    let v = v
        .strip_prefix("http://")
        .or_else(|| v.strip_prefix("https://"))
        .unwrap_or(v);
    let v = v.split('?').next().unwrap_or(v); // versionId ignored
    let (bucket, key_enc) = if let Some(rest) = v.strip_prefix('/') {
        rest.split_once('/').ok_or_else(bad)?
    } else {
        let (host, k) = v.split_once('/').ok_or_else(bad)?;
        let b = host.split('.').next().ok_or_else(bad)?;
        (b, k)
    };
    let key = util::url_decode(key_enc).ok_or_else(bad)?;
    if bucket.is_empty() || key.is_empty() {
        return Err(bad());
    }
    Ok((bucket.to_string(), key))
}

/// Opens a copy source, verifying its SSE-C key if needed.
fn open_source(st: &State, ctx: &Ctx<'_>) -> CosResult<(String, ObjectMeta, DataKey)> {
    let (sb, sk) = parse_copy_source(ctx.h("x-cos-copy-source").unwrap_or(""))?;
    let meta = st
        .store
        .get_meta(&sb, &sk)
        .map_err(ioe)?
        .ok_or_else(|| not_found(&sk))?;
    if is_archive(&meta.storage_class) && !meta.restored {
        return Err(forbidden(
            "InvalidObjectState",
            "The source object is archived; restore it first",
        ));
    }
    let get = header_getter(ctx);
    let ssec = parse_ssec(&get, SSEC_SRC, "SsecDecryptHeaderInvalid")?;
    let enc = data_key(st, &meta.sse, ssec.as_ref())?;
    Ok((sb, meta, enc))
}

fn copy_object(st: &State, ctx: &Ctx<'_>, bucket: &str) -> CosResult<Response> {
    st.store.ensure_bucket(bucket, st.now()).map_err(ioe)?;
    let (sb, src, src_enc) = open_source(st, ctx)?;
    let get = header_getter(ctx);
    let directive = ctx
        .h("x-cos-metadata-directive")
        .unwrap_or("Copy")
        .to_string();
    let attrs = match directive.as_str() {
        "Copy" => {
            let a = parse_attrs(&get, &[], "")?;
            Attrs {
                content_type: src.content_type.clone(),
                headers: src.headers.clone(),
                acl: if ctx.h("x-cos-acl").is_some() {
                    a.acl
                } else {
                    "default".into()
                },
                storage_class: if ctx.h("x-cos-storage-class").is_some() {
                    a.storage_class
                } else {
                    src.storage_class.clone()
                },
            }
        }
        "Replaced" => parse_attrs(&get, &header_names(ctx), &src.content_type)?,
        _ => {
            return Err(bad_request(
                "InvalidArgument",
                "x-cos-metadata-directive must be Copy or Replaced",
            ))
        }
    };
    let req = parse_sse(&get)?;
    let (sse, enc) = prepare_sse(st, bucket, req, &attrs.storage_class)?;
    let f = st.store.open_data(&sb, &src).map_err(ioe)?;
    let mut reader = ObjectReader::new(f, src_enc, &src.segments, 0, src.size).map_err(ioe)?;
    let w = write_temp(st, &mut reader, enc.as_ref())?;
    let meta = commit_new(st, bucket, &ctx.key, attrs, sse, w, None)?;
    let mut r = Response::new(200).xml(format!(
        "<?xml version='1.0' encoding='utf-8' ?>\n<CopyObjectResult><ETag>\"{}\"</ETag><CRC64>{}</CRC64><LastModified>{}</LastModified></CopyObjectResult>",
        meta.etag,
        meta.crc64,
        iso_date(meta.last_modified)
    ));
    write_response_headers(&mut r, &meta);
    Ok(r)
}

// ---------------------------------------------------------------- append

fn append_object(
    st: &State,
    ctx: &Ctx<'_>,
    bucket: &str,
    body: &mut BodyReader<'_>,
) -> CosResult<Response> {
    st.store.ensure_bucket(bucket, st.now()).map_err(ioe)?;
    let position: u64 = ctx
        .q("position")
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| bad_request("InvalidArgument", "append requires a numeric position"))?;
    let get = header_getter(ctx);
    let content_md5 = parse_content_md5(ctx.h("content-md5"))?;
    let existing = st.store.get_meta(bucket, &ctx.key).map_err(ioe)?;
    let (base, enc) = match &existing {
        None => {
            if position != 0 {
                return Err(CosError::new(
                    409,
                    "PositionNotEqualToLength",
                    "The position does not match the object length",
                ));
            }
            let attrs = parse_attrs(&get, &header_names(ctx), "application/octet-stream")?;
            let req = parse_sse(&get)?;
            if matches!(req, SseReq::C(_)) {
                return Err(bad_request(
                    "InvalidArgument",
                    "SSE-C is not supported on Append Object",
                ));
            }
            let (sse, enc) = prepare_sse(st, bucket, req, &attrs.storage_class)?;
            let m = ObjectMeta {
                key: ctx.key.clone(),
                content_type: attrs.content_type,
                headers: attrs.headers,
                acl: attrs.acl,
                storage_class: attrs.storage_class,
                object_type: "appendable".into(),
                sse,
                crc64: 0,
                ..Default::default()
            };
            (m, enc)
        }
        Some(m) => {
            if m.object_type != "appendable" {
                return Err(CosError::new(
                    409,
                    "ObjectNotAppendable",
                    "This object is not appendable",
                ));
            }
            if position != m.size {
                return Err(CosError::new(
                    409,
                    "PositionNotEqualToLength",
                    "The position does not match the object length",
                ));
            }
            if ctx.h(SSE).is_some()
                || ctx
                    .h("x-cos-server-side-encryption-customer-algorithm")
                    .is_some()
            {
                return Err(bad_request(
                    "InvalidArgument",
                    "SSE headers are only accepted on the first append",
                ));
            }
            let enc = data_key(st, &m.sse, None)?;
            (m.clone(), enc)
        }
    };
    let w = write_temp(st, body, enc.as_ref())?;
    if let Some(want) = content_md5 {
        if want != w.md5 {
            let _ = std::fs::remove_file(&w.tmp);
            return Err(bad_request(
                "BadDigest",
                "The Content-MD5 you specified did not match what was received",
            ));
        }
    }
    // new data file = old stored bytes ‖ new segment
    let tmp2 = st.store.tmp_path();
    let res = (|| -> io::Result<()> {
        let mut out = File::create(&tmp2)?;
        if existing.is_some() {
            let mut old = st.store.open_data(bucket, &base)?;
            io::copy(&mut old, &mut out)?;
        }
        let mut newf = File::open(&w.tmp)?;
        io::copy(&mut newf, &mut out)?;
        out.sync_all()
    })();
    let _ = std::fs::remove_file(&w.tmp);
    res.map_err(ioe)?;
    let data_file = st.store.place_data(bucket, &ctx.key, &tmp2).map_err(ioe)?;
    let mut meta = base.clone();
    meta.crc64 = if existing.is_some() {
        crc64_combine(base.crc64, w.crc, w.size)
    } else {
        w.crc
    };
    meta.size = base.size + w.size;
    meta.etag = hex(&md5(format!("{}{}", base.etag, hex(&w.md5)).as_bytes()));
    meta.last_modified = util::system_now();
    meta.data_file = data_file;
    if let Some(seg) = w.segment {
        meta.segments.push(seg);
    }
    let expect = existing.as_ref().map(|m| m.data_file.as_str());
    if !st.store.commit(bucket, &meta, Some(expect)).map_err(ioe)? {
        return Err(CosError::new(
            409,
            "PositionNotEqualToLength",
            "The object changed during the append",
        ));
    }
    let mut r = Response::new(200);
    write_response_headers(&mut r, &meta);
    r.set("x-cos-next-append-position", meta.size.to_string());
    Ok(r)
}

// ---------------------------------------------------------------- multipart

fn initiate_upload(st: &State, ctx: &Ctx<'_>, bucket: &str) -> CosResult<Response> {
    st.store.ensure_bucket(bucket, st.now()).map_err(ioe)?;
    let get = header_getter(ctx);
    let attrs = parse_attrs(&get, &header_names(ctx), "application/octet-stream")?;
    let req = parse_sse(&get)?;
    forbid_presigned_sse_cos(ctx, &req)?;
    let (sse, _dk) = prepare_sse(st, bucket, req, &attrs.storage_class)?;
    let upload_id = format!("{}{}", util::system_now(), random_hex(16));
    let template = ObjectMeta {
        key: ctx.key.clone(),
        content_type: attrs.content_type,
        headers: attrs.headers,
        acl: attrs.acl,
        storage_class: attrs.storage_class,
        object_type: "multipart".into(),
        sse,
        ..Default::default()
    };
    let u = UploadMeta {
        upload_id: upload_id.clone(),
        key: ctx.key.clone(),
        initiated: util::system_now(),
        template,
    };
    st.store.create_upload(bucket, &u).map_err(ioe)?;
    let mut r = Response::new(200).xml(format!(
        "<?xml version='1.0' encoding='utf-8' ?>\n<InitiateMultipartUploadResult><Bucket>{}</Bucket><Key>{}</Key><UploadId>{}</UploadId></InitiateMultipartUploadResult>",
        xml_escape(bucket),
        xml_escape(&ctx.key),
        upload_id
    ));
    sse_headers(&mut r, &u.template.sse);
    Ok(r)
}

fn get_upload(st: &State, ctx: &Ctx<'_>, bucket: &str) -> CosResult<UploadMeta> {
    let id = ctx.q("uploadId").unwrap_or("");
    let u = st.store.get_upload(bucket, id).ok_or_else(|| {
        CosError::new(
            404,
            "NoSuchUpload",
            "The specified multipart upload does not exist",
        )
    })?;
    if u.key != ctx.key {
        return Err(CosError::new(
            404,
            "NoSuchUpload",
            "The specified multipart upload does not exist",
        ));
    }
    Ok(u)
}

fn part_number(ctx: &Ctx<'_>) -> CosResult<u32> {
    ctx.q("partNumber")
        .and_then(|p| p.parse::<u32>().ok())
        .filter(|n| (1..=10000).contains(n))
        .ok_or_else(|| {
            bad_request(
                "InvalidArgument",
                "partNumber must be an integer between 1 and 10000",
            )
        })
}

/// The data key for parts of an upload; verifies the SSE-C triple.
fn upload_key(st: &State, ctx: &Ctx<'_>, u: &UploadMeta) -> CosResult<Option<(Alg, Vec<u8>)>> {
    // The official SDKs' sliceUploadFile repeats x-cos-server-side-encryption on every part, so
    // it is accepted when it matches the mode the upload was initiated with.
    if let Some(mode) = ctx.h(SSE) {
        let expected = match u
            .template
            .sse
            .as_ref()
            .map(|s| (s.mode.as_str(), s.alg.as_str()))
        {
            Some(("cos", alg)) => Some(alg.to_string()),
            Some(("kms", _)) => Some("cos/kms".to_string()),
            _ => None,
        };
        if expected.as_deref() != Some(mode.trim()) {
            return Err(bad_request(
                "InvalidArgument",
                "x-cos-server-side-encryption on Upload Part must match the upload's encryption",
            ));
        }
    }
    let get = header_getter(ctx);
    let ssec = parse_ssec(&get, SSEC, "SsecDecryptHeaderInvalid")?;
    let is_c = u
        .template
        .sse
        .as_ref()
        .map(|s| s.mode == "c")
        .unwrap_or(false);
    if !is_c && ssec.is_some() {
        return Err(ssec_error("The upload was not initiated with SSE-C"));
    }
    // SSE-COS/KMS uploads: the data key was created and wrapped at initiate time.
    data_key(st, &u.template.sse, ssec.as_ref())
}

fn upload_part(
    st: &State,
    ctx: &Ctx<'_>,
    bucket: &str,
    body: &mut BodyReader<'_>,
) -> CosResult<Response> {
    let n = part_number(ctx)?;
    let u = get_upload(st, ctx, bucket)?;
    let enc = upload_key(st, ctx, &u)?;
    if body.declared_len().unwrap_or(0) > MAX_PUT {
        return Err(bad_request("EntityTooLarge", "A part may be at most 5 GB"));
    }
    let content_md5 = parse_content_md5(ctx.h("content-md5"))?;
    let w = write_temp(st, body, enc.as_ref())?;
    if let Some(want) = content_md5 {
        if want != w.md5 {
            let _ = std::fs::remove_file(&w.tmp);
            return Err(bad_request(
                "BadDigest",
                "The Content-MD5 you specified did not match what was received",
            ));
        }
    }
    store_part(st, bucket, &u, n, w)
}

fn store_part(st: &State, bucket: &str, u: &UploadMeta, n: u32, w: Written) -> CosResult<Response> {
    let p = PartMeta {
        number: n,
        size: w.size,
        etag: etag_for(&u.template.sse, &w),
        md5: hex(&w.md5),
        crc64: w.crc,
        prefix: w.segment.map(|s| s.prefix),
        last_modified: util::system_now(),
    };
    st.store
        .put_part(bucket, &u.upload_id, &p, &w.tmp)
        .map_err(|_| {
            CosError::new(
                404,
                "NoSuchUpload",
                "The specified multipart upload does not exist",
            )
        })?;
    let mut r = Response::new(200);
    r.set("ETag", format!("\"{}\"", p.etag));
    r.set("x-cos-hash-crc64ecma", p.crc64.to_string());
    sse_headers(&mut r, &u.template.sse);
    Ok(r)
}

fn upload_part_copy(st: &State, ctx: &Ctx<'_>, bucket: &str) -> CosResult<Response> {
    let n = part_number(ctx)?;
    let u = get_upload(st, ctx, bucket)?;
    let enc = upload_key(st, ctx, &u)?;
    let (sb, src, src_enc) = open_source(st, ctx)?;
    let (start, end) = match ctx.h("x-cos-copy-source-range") {
        None => (0, src.size),
        Some(v) => parse_range(v, src.size)?
            .ok_or_else(|| bad_request("InvalidArgument", "invalid x-cos-copy-source-range"))?,
    };
    let f = st.store.open_data(&sb, &src).map_err(ioe)?;
    let mut reader = ObjectReader::new(f, src_enc, &src.segments, start, end).map_err(ioe)?;
    let w = write_temp(st, &mut reader, enc.as_ref())?;
    let etag = etag_for(&u.template.sse, &w);
    let crc = w.crc;
    let mut r = store_part(st, bucket, &u, n, w)?;
    r.headers.retain(|(k, _)| k != "ETag");
    r = r.xml(format!(
        "<?xml version='1.0' encoding='utf-8' ?>\n<CopyPartResult><ETag>\"{etag}\"</ETag><CRC64>{crc}</CRC64><LastModified>{}</LastModified></CopyPartResult>",
        iso_date(util::system_now())
    ));
    Ok(r)
}

fn list_parts(st: &State, ctx: &Ctx<'_>, bucket: &str) -> CosResult<Response> {
    let u = get_upload(st, ctx, bucket)?;
    let marker: u32 = ctx
        .q("part-number-marker")
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    let max: usize = ctx
        .q("max-parts")
        .and_then(|m| m.parse().ok())
        .unwrap_or(1000)
        .min(1000);
    let parts: Vec<PartMeta> = st
        .store
        .list_parts(bucket, &u.upload_id)
        .into_iter()
        .filter(|p| p.number > marker)
        .collect();
    let truncated = parts.len() > max;
    let mut x = format!(
        "<?xml version='1.0' encoding='utf-8' ?>\n<ListPartsResult><Bucket>{}</Bucket><Encoding-type>url</Encoding-type><Key>{}</Key><UploadId>{}</UploadId><Initiator><ID>1250000000</ID><DisplayName>1250000000</DisplayName></Initiator><Owner><ID>1250000000</ID><DisplayName>1250000000</DisplayName></Owner><StorageClass>{}</StorageClass><PartNumberMarker>{}</PartNumberMarker><MaxParts>{}</MaxParts><IsTruncated>{}</IsTruncated>",
        xml_escape(bucket),
        xml_escape(&url_encode(&u.key).replace("%2F", "/")),
        u.upload_id,
        u.template.storage_class,
        marker,
        max,
        truncated
    );
    let shown: Vec<&PartMeta> = parts.iter().take(max).collect();
    if let Some(last) = shown.last() {
        x.push_str(&format!(
            "<NextPartNumberMarker>{}</NextPartNumberMarker>",
            last.number
        ));
    }
    for p in shown {
        x.push_str(&format!(
            "<Part><PartNumber>{}</PartNumber><LastModified>{}</LastModified><ETag>&quot;{}&quot;</ETag><Size>{}</Size></Part>",
            p.number,
            iso_date(p.last_modified),
            p.etag,
            p.size
        ));
    }
    x.push_str("</ListPartsResult>");
    Ok(Response::new(200).xml(x))
}

fn list_uploads(st: &State, ctx: &Ctx<'_>, bucket: &str) -> CosResult<Response> {
    let prefix = ctx.q("prefix").unwrap_or("");
    let mut x = format!(
        "<?xml version='1.0' encoding='utf-8' ?>\n<ListMultipartUploadsResult><Bucket>{}</Bucket><Encoding-Type>url</Encoding-Type><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><MaxUploads>1000</MaxUploads><Prefix>{}</Prefix><IsTruncated>false</IsTruncated>",
        xml_escape(bucket),
        xml_escape(prefix)
    );
    for u in st.store.list_uploads(bucket) {
        if !u.key.starts_with(prefix) {
            continue;
        }
        x.push_str(&format!(
            "<Upload><Key>{}</Key><UploadId>{}</UploadId><StorageClass>{}</StorageClass><Initiator><ID>1250000000</ID><DisplayName>1250000000</DisplayName></Initiator><Owner><ID>1250000000</ID><DisplayName>1250000000</DisplayName></Owner><Initiated>{}</Initiated></Upload>",
            xml_escape(&url_encode(&u.key).replace("%2F", "/")),
            u.upload_id,
            u.template.storage_class,
            iso_date(u.initiated)
        ));
    }
    x.push_str("</ListMultipartUploadsResult>");
    Ok(Response::new(200).xml(x))
}

fn abort_upload(st: &State, ctx: &Ctx<'_>, bucket: &str) -> CosResult<Response> {
    let u = get_upload(st, ctx, bucket)?;
    st.store.delete_upload(bucket, &u.upload_id).map_err(ioe)?;
    Ok(Response::new(204))
}

fn complete_upload(
    st: &State,
    ctx: &Ctx<'_>,
    bucket: &str,
    body: &mut BodyReader<'_>,
) -> CosResult<Response> {
    let u = get_upload(st, ctx, bucket)?;
    let malformed = || bad_request("MalformedXML", "The XML you provided was not well-formed");
    let raw = body.read_all(4 * 1024 * 1024).map_err(|_| malformed())?;
    check_content_md5_bytes(ctx.h("content-md5"), &raw)?;
    let xml = String::from_utf8(raw).map_err(|_| malformed())?;
    if !xml.contains("<CompleteMultipartUpload") {
        return Err(malformed());
    }
    let mut wanted: Vec<(u32, String)> = Vec::new();
    for p in xml_all(&xml, "Part") {
        let n: u32 = xml_first(p, "PartNumber")
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(malformed)?;
        let etag = xml_unescape(xml_first(p, "ETag").ok_or_else(malformed)?.trim());
        wanted.push((n, etag.trim_matches('"').to_string()));
    }
    if wanted.is_empty() {
        return Err(malformed());
    }
    if wanted.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Err(bad_request(
            "InvalidPartOrder",
            "The list of parts was not in ascending order",
        ));
    }
    let stored = st.store.list_parts(bucket, &u.upload_id);
    let mut chosen = Vec::new();
    for (i, (n, etag)) in wanted.iter().enumerate() {
        let p = stored
            .iter()
            .find(|p| p.number == *n)
            .ok_or_else(|| bad_request("InvalidPart", format!("Part {n} could not be found")))?;
        if !p.etag.eq_ignore_ascii_case(etag) {
            return Err(bad_request(
                "InvalidPart",
                format!("The ETag of part {n} does not match"),
            ));
        }
        if st.cfg.enforce_min_part_size && i + 1 < wanted.len() && p.size < MIN_PART {
            return Err(bad_request(
                "EntityTooSmall",
                format!("Part {n} is smaller than the minimum allowed size (1 MB)"),
            ));
        }
        chosen.push(p.clone());
    }
    // concatenate stored part bytes (ciphertext stays ciphertext: no key needed)
    let tmp = st.store.tmp_path();
    let res = (|| -> io::Result<()> {
        let mut out = BufWriter::with_capacity(256 * 1024, File::create(&tmp)?);
        for p in &chosen {
            let mut f = File::open(st.store.part_path(bucket, &u.upload_id, p.number))?;
            io::copy(&mut f, &mut out)?;
        }
        let f = out.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()
    })();
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        return Err(ioe(e));
    }
    let mut crc = 0u64;
    let mut size = 0u64;
    let mut md5cat = Vec::new();
    let mut segments = Vec::new();
    for (i, p) in chosen.iter().enumerate() {
        crc = if i == 0 {
            p.crc64
        } else {
            crc64_combine(crc, p.crc64, p.size)
        };
        size += p.size;
        md5cat.extend(util::unhex(&p.md5).unwrap_or_default());
        if let Some(prefix) = p.prefix {
            segments.push(Segment {
                size: p.size,
                prefix,
            });
        }
    }
    let data_file = st.store.place_data(bucket, &u.key, &tmp).map_err(ioe)?;
    let mut meta = u.template.clone();
    meta.size = size;
    meta.crc64 = crc;
    meta.etag = format!("{}-{}", hex(&md5(&md5cat)), chosen.len());
    meta.last_modified = util::system_now();
    meta.data_file = data_file;
    meta.segments = segments;
    meta.object_type = "multipart".into();
    st.store.commit(bucket, &meta, None).map_err(ioe)?;
    let _ = st.store.delete_upload(bucket, &u.upload_id);
    let location = format!("{}/{}", ctx.host, url_encode(&u.key).replace("%2F", "/"));
    let mut r = Response::new(200).xml(format!(
        "<?xml version='1.0' encoding='utf-8' ?>\n<CompleteMultipartUploadResult><Location>{}</Location><Bucket>{}</Bucket><Key>{}</Key><ETag>&quot;{}&quot;</ETag></CompleteMultipartUploadResult>",
        xml_escape(&location),
        xml_escape(bucket),
        xml_escape(&u.key),
        meta.etag
    ));
    write_response_headers(&mut r, &meta);
    Ok(r)
}

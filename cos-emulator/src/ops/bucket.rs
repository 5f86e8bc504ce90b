//! Bucket and service operations: list buckets, list objects, bucket default encryption.

use crate::ctx::{authorize_temporary, Ctx, Temporary};
use crate::error::{bad_request, ioe, CosError, CosResult};
use crate::http::{BodyReader, Response};
use crate::objio::read_xml_body;
use crate::sse::kms_key;
use crate::state::State;
use crate::util::{iso_date, url_encode};
use crate::xml::escape as xml_escape;

/// GET Service: all buckets.
pub fn list_buckets(st: &State) -> CosResult<Response> {
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

/// GET Bucket (list objects). With `encoding-type=url`, Key, Prefix, Marker, NextMarker,
/// Delimiter and CommonPrefixes are URL-encoded (the Python SDK always asks for it).
pub fn list_objects(st: &State, ctx: &Ctx<'_>, bucket: &str) -> CosResult<Response> {
    let url = match ctx.q("encoding-type") {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("url") => true,
        Some(_) => return Err(bad_request("InvalidArgument", "encoding-type must be url")),
    };
    let enc = |s: &str| -> String {
        if url {
            xml_escape(&url_encode(s))
        } else {
            xml_escape(s)
        }
    };
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
            enc(&entry_key),
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
        enc(bucket),
        enc(prefix),
        enc(marker),
        max
    );
    if !delimiter.is_empty() {
        x.push_str(&format!("<Delimiter>{}</Delimiter>", enc(delimiter)));
    }
    if url {
        x.push_str("<EncodingType>url</EncodingType>");
    }
    x.push_str(&format!("<IsTruncated>{truncated}</IsTruncated>"));
    if truncated {
        x.push_str(&format!("<NextMarker>{}</NextMarker>", enc(&next_marker)));
    }
    x.push_str(&contents);
    for p in prefixes {
        x.push_str(&format!(
            "<CommonPrefixes><Prefix>{}</Prefix></CommonPrefixes>",
            enc(&p)
        ));
    }
    x.push_str("</ListBucketResult>");
    Ok(Response::new(200).xml(x))
}

/// PUT `?encryption`: the bucket default (AES256, SM4 or KMS with an optional key id).
pub fn put_bucket_encryption(
    st: &State,
    ctx: &Ctx<'_>,
    bucket: &str,
    body: &mut BodyReader,
) -> CosResult<Response> {
    let doc = read_xml_body(ctx, body, "ServerSideEncryptionConfiguration")?;
    let malformed = || bad_request("MalformedXML", "The XML you provided was not well-formed");
    let rule = doc
        .child("Rule")
        .and_then(|r| r.child("ApplyServerSideEncryptionByDefault"))
        .ok_or_else(malformed)?;
    let alg = rule.text_of("SSEAlgorithm").ok_or_else(malformed)?;
    let kms_id = rule
        .text_of("KMSMasterKeyID")
        .map(str::to_string)
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

/// GET `?encryption` (404 `NoSuchEncryptionConfiguration` when unset).
pub fn get_bucket_encryption(st: &State, bucket: &str) -> CosResult<Response> {
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

/// DELETE `?encryption`.
pub fn delete_bucket_encryption(st: &State, bucket: &str) -> CosResult<Response> {
    let mut cfg = st.store.bucket_config(bucket).map_err(ioe)?;
    cfg.encryption = None;
    st.store.write_bucket_config(bucket, &cfg).map_err(ioe)?;
    Ok(Response::new(204))
}

/// Most keys one Delete Multiple Objects request may name (COS: 1000).
const MAX_DELETE_KEYS: usize = 1000;

/// POST `/?delete` (Delete Multiple Objects): `<Delete><Quiet/><Object><Key/></Object>…`.
/// Keys that do not exist count as deleted, as on COS.
pub fn delete_objects(
    st: &State,
    ctx: &Ctx<'_>,
    bucket: &str,
    body: &mut BodyReader,
) -> CosResult<Response> {
    let doc = read_xml_body(ctx, body, "Delete")?;
    let quiet = doc
        .text_of("Quiet")
        .is_some_and(|q| q.eq_ignore_ascii_case("true"));
    let keys: Vec<&str> = doc
        .all("Object")
        .map(|o| o.text_of("Key").unwrap_or(""))
        .collect();
    if keys.is_empty() || keys.len() > MAX_DELETE_KEYS {
        return Err(bad_request(
            "MalformedXML",
            "Delete must name between 1 and 1000 objects",
        ));
    }
    let mut x = String::from("<?xml version='1.0' encoding='utf-8' ?>\n<DeleteResult>");
    // A temporary credential deletes each key only where its policy allows DeleteObject on it
    // (the request's own DeleteMultipleObjects grant names the bucket, not the keys).
    let who = Temporary::of(ctx);
    for k in keys {
        let refused = who.as_ref().and_then(|w| {
            authorize_temporary(st, ctx, w, "DeleteObject", (bucket, k), &ctx.headers, false).err()
        });
        if let Some(e) = refused {
            x.push_str(&format!(
                "<Error><Key>{}</Key><Code>{}</Code><Message>{}</Message></Error>",
                xml_escape(k),
                e.code,
                xml_escape(&e.message)
            ));
            continue;
        }
        match st.store.delete(bucket, k) {
            Ok(()) if !k.is_empty() => {
                if !quiet {
                    x.push_str(&format!("<Deleted><Key>{}</Key></Deleted>", xml_escape(k)));
                }
            }
            _ => x.push_str(&format!(
                "<Error><Key>{}</Key><Code>InvalidArgument</Code><Message>The object could not be deleted</Message></Error>",
                xml_escape(k)
            )),
        }
    }
    x.push_str("</DeleteResult>");
    Ok(Response::new(200).xml(x))
}

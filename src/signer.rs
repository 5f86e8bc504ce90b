//! [`Signer`]: the operations of the package, in idiomatic Rust.

use crate::base64;
use crate::credentials::Credentials;
use crate::encode::path_encode;
use crate::endpoint::Endpoint;
use crate::error::{cat, err, Result};
use crate::post_form::{PostObjectForm, PostObjectFormOptions};
use crate::request::{build_url, prepare, without_host, SignRequestOptions, SignedRequest};
use crate::sign::{object_path, post_policy_signature, Header, KeyTime, Request, SignatureParts};
use crate::sse::Sse;

/// Signs COS requests with one set of [`Credentials`].
///
/// ```
/// use cos_wasm::{Credentials, KeyTime, Request, Signer};
/// let signer = Signer::new(Credentials::new("AKIDexample", "secret")?);
/// let auth = signer.authorization(
///     &Request::new("GET", "photos/cat.jpg"),
///     KeyTime::parse("1557989151;1557996351")?,
/// )?;
/// assert!(auth.starts_with("q-sign-algorithm=sha1&q-ak=AKIDexample&"));
/// # Ok::<(), cos_wasm::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Signer {
    creds: Credentials,
}

/// The form fields of a signed POST Object policy (protocol §2), in the order a form needs
/// them (`file` goes after all of these).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostPolicyFields {
    /// `(name, value)` pairs: `policy`, `q-sign-algorithm`, `q-ak`, `q-key-time`,
    /// `q-signature`, and `x-cos-security-token` with temporary credentials.
    pub fields: Vec<(String, String)>,
}

impl Signer {
    /// A signer for these credentials.
    #[must_use]
    pub fn new(creds: Credentials) -> Self {
        Self { creds }
    }

    /// The credentials.
    #[must_use]
    pub fn credentials(&self) -> &Credentials {
        &self.creds
    }

    /// Every intermediate step of the signature of `req` (signed path `/key`).
    ///
    /// # Errors
    /// Any validation error of the method, key, query or headers.
    pub fn signature_parts(&self, req: &Request, key_time: KeyTime) -> Result<SignatureParts> {
        let path = object_path(&req.key)?;
        req.signature_parts(&self.creds, &path, key_time)
    }

    /// The `Authorization` header value for `req`
    /// ([doc](https://cloud.tencent.com/document/product/436/7778)).
    ///
    /// Signed headers: those of [`crate::DEFAULT_SIGNED_HEADERS`], every `x-cos-*`/`x-ci-*`,
    /// and `req.sign_headers`. Send every signed header unchanged. The security token is
    /// not added here; send it as `x-cos-security-token` (or use [`Signer::sign_request`]).
    ///
    /// # Errors
    /// `ERR_INVALID_METHOD`, `ERR_INVALID_OBJECT_KEY`, `ERR_OBJECT_KEY_TOO_LONG`,
    /// `ERR_INVALID_HEADER_*`, `ERR_DUPLICATE_HEADER`, `ERR_DUPLICATE_QUERY_PARAM`.
    pub fn authorization(&self, req: &Request, key_time: KeyTime) -> Result<String> {
        Ok(self
            .signature_parts(req, key_time)?
            .authorization(self.creds.secret_id()))
    }

    /// A pre-signed URL: the seven `q-*` pairs in the query string
    /// ([doc](https://cloud.tencent.com/document/product/436/35153)).
    ///
    /// `host` is always signed (the endpoint's, unless `req` carries a `Host` header, e.g.
    /// for a CDN domain). Other signed headers in `req` (such as `Content-Type` or SSE
    /// headers) must be sent with the request. With temporary credentials the token is
    /// appended URL-encoded and unsigned, unless `req.query` already holds
    /// `x-cos-security-token` (then it is signed like any parameter).
    ///
    /// # Errors
    /// As [`Signer::authorization`]; `ERR_SSE_C_REQUIRES_HTTPS` if a header carries an
    /// SSE-C key and the endpoint refuses it ([`Endpoint::check_key_transport`]).
    pub fn presign_url(
        &self,
        req: &Request,
        endpoint: &Endpoint,
        key_time: KeyTime,
    ) -> Result<String> {
        if req
            .headers
            .iter()
            .any(|h| h.name.to_ascii_lowercase().ends_with("-customer-key"))
        {
            endpoint.check_key_transport()?;
        }
        let (path, parts) = self.sign_for_endpoint(req, endpoint, key_time)?;
        let pairs = parts.pairs(self.creds.secret_id());
        let mut query: Vec<(&str, Option<&str>)> =
            pairs.iter().map(|(k, v)| (*k, Some(v.as_str()))).collect();
        // Parameters without a value are signed as `name=` (the official SDKs' form).
        query.extend(
            req.query
                .iter()
                .map(|(k, v)| (k.as_str(), Some(v.as_deref().unwrap_or("")))),
        );
        if let Some(token) = self.creds.security_token() {
            if !req
                .query
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("x-cos-security-token"))
            {
                query.push(("x-cos-security-token", Some(token)));
            }
        }
        Ok(build_url(endpoint, &path, &query))
    }

    /// Signs `req` for `endpoint` with `host` signed; returns the wire path and the parts.
    pub(crate) fn sign_for_endpoint(
        &self,
        req: &Request,
        endpoint: &Endpoint,
        key_time: KeyTime,
    ) -> Result<(String, SignatureParts)> {
        let (signed_path, req) = req.for_endpoint(endpoint)?;
        let parts = req.signature_parts(&self.creds, &signed_path, key_time)?;
        Ok((signed_path, parts))
    }

    /// Signs a POST Object policy given as its exact JSON text (protocol §2): the bytes that
    /// are base64-encoded into the `policy` field are the bytes that are hashed.
    ///
    /// The policy should contain the `q-sign-algorithm`, `q-ak` and `q-sign-time`
    /// conditions COS requires; [`crate::PostObjectFormOptions`] builds a complete one.
    ///
    /// # Errors
    /// `ERR_INVALID_POLICY` if the text is not a JSON object (`{…}`) or is over 64 KiB.
    pub fn sign_post_policy(
        &self,
        policy_json: &str,
        key_time: KeyTime,
    ) -> Result<PostPolicyFields> {
        let t = policy_json.trim();
        if !(t.starts_with('{') && t.ends_with('}')) {
            return Err(err!(
                InvalidPolicy,
                "policy must be a JSON object text such as {\"expiration\":…,\"conditions\":[…]}"
            ));
        }
        if policy_json.len() > 64 * 1024 {
            return Err(err!(
                InvalidPolicy,
                "policy is {} bytes; keep it under 64 KiB",
                policy_json.len()
            ));
        }
        let signature = post_policy_signature(&self.creds, key_time, policy_json);
        let mut fields = vec![
            ("policy".to_owned(), base64::encode(policy_json.as_bytes())),
            ("q-sign-algorithm".to_owned(), "sha1".to_owned()),
            ("q-ak".to_owned(), self.creds.secret_id().to_owned()),
            ("q-key-time".to_owned(), cat!("{}", key_time)),
            ("q-signature".to_owned(), signature),
        ];
        if let Some(token) = self.creds.security_token() {
            fields.push(("x-cos-security-token".to_owned(), token.to_owned()));
        }
        Ok(PostPolicyFields { fields })
    }

    /// Signs `req` for `endpoint` with an `Authorization` header (protocol §1) after adding the
    /// SSE headers of `req.sse` / `req.copy_source_sse` for the operation (protocol §3).
    ///
    /// The operation, when not given, is inferred: PUT with `x-cos-copy-source` →
    /// CopyObject (UploadPartCopy with `partNumber` and `uploadId`); PUT with `partNumber`
    /// and `uploadId` → UploadPart; other PUT → PutObject; POST with `uploads` →
    /// InitiateMultipartUpload, with `uploadId` → CompleteMultipartUpload, with `append`
    /// → AppendObject; GET → GetObject; HEAD → HeadObject.
    ///
    /// The result holds the user headers, the [`crate::Pin`] defaults (`x-cos-acl: default`
    /// on writes unless `req.pin` says otherwise), the SSE headers, `x-cos-security-token`
    /// (with temporary credentials; added before signing so it is signed, as the Go and
    /// Python SDKs do) and `Authorization`. Every one of them is signed, `host` too (not
    /// returned).
    ///
    /// # Errors
    /// - `ERR_UNKNOWN_OPERATION` when SSE is given and the operation cannot be inferred;
    /// - `ERR_SSE_NOT_ALLOWED` (see [`crate::sse_headers`]);
    /// - `ERR_SSE_C_REQUIRES_HTTPS` for an SSE-C key the endpoint refuses
    ///   ([`Endpoint::check_key_transport`]);
    /// - `ERR_SSE_ARCHIVE_CONFLICT` for SSE with an ARCHIVE / DEEP_ARCHIVE storage class;
    /// - `ERR_INVALID_SSE`, `ERR_INVALID_KEY_LENGTH`, `ERR_KEY_MD5_MISMATCH` for malformed SSE;
    /// - `ERR_INVALID_ARGUMENT` when `operation` disagrees with `method`;
    /// - any error of [`Signer::authorization`].
    pub fn sign_request(
        &self,
        req: &SignRequestOptions,
        endpoint: &Endpoint,
        key_time: KeyTime,
    ) -> Result<SignedRequest> {
        let mut request = prepare(req, endpoint, false)?;
        if let Some(token) = self.credentials().security_token() {
            if !request
                .headers
                .iter()
                .any(|h| h.name.eq_ignore_ascii_case("x-cos-security-token"))
            {
                request
                    .headers
                    .push(Header::new("x-cos-security-token", token));
            }
        }
        let (signed_path, parts) = self.sign_for_endpoint(&request, endpoint, key_time)?;
        let mut headers = without_host(request.headers);
        headers.push(Header::new(
            "Authorization",
            parts.authorization(self.credentials().secret_id()),
        ));
        Ok(SignedRequest {
            url: build_url(
                endpoint,
                &signed_path,
                &req.query
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_deref()))
                    .collect::<Vec<_>>(),
            ),
            headers,
        })
    }

    /// A pre-signed URL (protocol §1 "Pre-signed URL") for `req`, with every header it
    /// carries signed (listed in `q-header-list`) and returned separately: the caller's
    /// headers, the [`crate::Pin`] defaults and the SSE-C / SSE-KMS headers. The holder must
    /// send them unchanged; a changed or added value of any of them breaks the signature.
    /// Key material never goes into the URL. Headers and parameters nobody signed are not
    /// covered: whether COS refuses them is UNCONFIRMED (docs/protocol.md §1).
    ///
    /// Built on [`Signer::presign_url`]: with temporary credentials the token is appended
    /// to the query.
    ///
    /// # Errors
    /// As [`Signer::sign_request`], plus `ERR_SSE_PRESIGNED_UPLOAD` for SSE-COS on a PUT or
    /// POST (COS cannot apply SSE-COS through a pre-signed upload, protocol §3).
    pub fn presign_request(
        &self,
        req: &SignRequestOptions,
        endpoint: &Endpoint,
        key_time: KeyTime,
    ) -> Result<SignedRequest> {
        let request = prepare(req, endpoint, true)?;
        let url = self.presign_url(&request, endpoint, key_time)?;
        Ok(SignedRequest {
            url,
            headers: without_host(request.headers),
        })
    }

    /// Builds and signs a complete POST Object form (protocol §2): policy with
    /// `q-sign-algorithm`, `q-ak`, `q-sign-time`, `bucket`, the key (exact or
    /// `starts-with`), every fixed field, SSE fields (the SSE-C key is pinned by its MD5
    /// condition rather than repeated in the policy), metadata, `content-length-range`,
    /// the security token (see [`crate::post_form::POST_POLICY_INCLUDES_SECURITY_TOKEN`]) and the extra
    /// `conditions`; `expiration` is `key_time.end()`.
    ///
    /// Post the fields as `multipart/form-data` to `url`, in order, and append `file` LAST.
    ///
    /// # Errors
    /// - `ERR_INVALID_POLICY`: success_action_status not 200/201/204, range min > max, an
    ///   extra condition that is not a JSON object/array text, a policy over 64 KiB;
    /// - `ERR_INVALID_OBJECT_KEY` / `ERR_OBJECT_KEY_TOO_LONG`: bad key;
    /// - `ERR_INVALID_HEADER_NAME` / `ERR_INVALID_HEADER_VALUE` / `ERR_DUPLICATE_HEADER`:
    ///   bad metadata (`_` in the suffix, over 2 KB, over 4 KB in total, CR/LF);
    /// - `ERR_SSE_ARCHIVE_CONFLICT`: SSE with ARCHIVE / DEEP_ARCHIVE;
    /// - `ERR_SSE_C_REQUIRES_HTTPS`: SSE-C to an endpoint that refuses it
    ///   ([`Endpoint::check_key_transport`]);
    /// - `ERR_INVALID_SSE`: malformed SSE-KMS options.
    pub fn post_object_form(
        &self,
        form: &PostObjectFormOptions,
        endpoint: &Endpoint,
        key_time: KeyTime,
    ) -> Result<PostObjectForm> {
        if matches!(form.sse, Some(Sse::Customer(_))) {
            endpoint.check_key_transport()?;
        }
        let creds = self.credentials();
        // The policy text carries the security token: wiped once signed.
        let (policy, mut fields) = form.build(
            endpoint.bucket().as_str(),
            creds.secret_id(),
            creds.security_token(),
            key_time,
        )?;
        let policy = zeroize::Zeroizing::new(policy);
        fields.append(&mut self.sign_post_policy(&policy, key_time)?.fields);
        Ok(PostObjectForm {
            url: cat!(
                "{}{}",
                endpoint.origin(),
                path_encode(&endpoint.signed_path("/"))
            ),
            fields,
        })
    }

    /// The exact policy JSON text [`Signer::post_object_form`] signs, for debugging
    /// (compare with what COS reports). Contains the security token when present.
    ///
    /// # Errors
    /// As [`Signer::post_object_form`].
    pub fn post_object_policy(
        &self,
        form: &PostObjectFormOptions,
        endpoint: &Endpoint,
        key_time: KeyTime,
    ) -> Result<String> {
        let creds = self.credentials();
        form.build(
            endpoint.bucket().as_str(),
            creds.secret_id(),
            creds.security_token(),
            key_time,
        )
        .map(|(p, _)| p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Protocol §2 worked example: exact policy text, SignKey, StringToSign and signature.
    #[test]
    fn doc_post_example() {
        let policy = "{\n    \"expiration\": \"2019-08-30T09:38:12.414Z\",\n    \"conditions\": [\n        { \"acl\": \"default\" },\n        { \"bucket\": \"examplebucket-1250000000\" },\n        [ \"starts-with\", \"$key\", \"folder/subfolder/\" ],\n        [ \"starts-with\", \"$Content-Type\", \"image/\" ],\n        [ \"starts-with\", \"$success_action_redirect\", \"https://my.website/\" ],\n        [ \"eq\", \"$x-cos-server-side-encryption\", \"AES256\" ],\n        { \"q-sign-algorithm\": \"sha1\" },\n        { \"q-ak\": \"AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q\" },\n        { \"q-sign-time\": \"1567150692;1567157892\" }\n    ]\n}";
        assert_eq!(
            crate::crypto::sha1_hex(policy.as_bytes()),
            "d5d903b8360468bc81c1311f134989bc8c8b5b89"
        );
        let s = Signer::new(
            Credentials::new(
                "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
                "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz",
            )
            .expect("c"),
        );
        let f = s
            .sign_post_policy(policy, KeyTime::parse("1567150692;1567157892").expect("kt"))
            .expect("sign");
        let get = |n: &str| {
            f.fields
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        assert_eq!(
            get("q-signature"),
            "7758dc9a832e9d301dca704cacbf9d9f8172fdef"
        );
        assert!(get("policy")
            .starts_with("ewogICAgImV4cGlyYXRpb24iOiAiMjAxOS0wOC0zMFQwOTozODoxMi40MTRaIiwK"));
        assert!(get("policy").ends_with("IjE1NjcxNTA2OTI7MTU2NzE1Nzg5MiIgfQogICAgXQp9"));
    }
}

//! End-to-end tests against an in-process emulator over real TCP.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use cos_emulator::util::{b64, crc64, md5, random_bytes, url_encode};

#[test]
fn put_get_head_delete_with_crc_md5_meta() {
    let e = start("basic");
    let p = e.handle.port();
    let body = b"123456789";
    let r = put(
        p,
        "dir/a.txt",
        &[
            ("Content-Type", "text/plain".into()),
            ("Content-MD5", b64(&md5(body))),
            ("x-cos-meta-owner", "alice".into()),
        ],
        body,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.h("x-cos-hash-crc64ecma"), Some("11051210869376104954"));
    assert_eq!(
        r.h("ETag").unwrap(),
        format!("\"{}\"", cos_emulator::util::hex(&md5(body)))
    );
    let g = get(p, "dir/a.txt", &[]);
    assert_eq!(g.status, 200);
    assert_eq!(g.body, body);
    assert_eq!(g.h("x-cos-meta-owner"), Some("alice"));
    assert_eq!(g.h("Content-Type"), Some("text/plain"));
    assert_eq!(g.h("x-cos-hash-crc64ecma"), Some("11051210869376104954"));
    let h = signed(p, "HEAD", "dir/a.txt", &[], &[], b"");
    assert_eq!(h.status, 200);
    assert_eq!(h.h("Content-Length"), Some("9"));
    // Range
    let rg = get(p, "dir/a.txt", &[("Range", "bytes=2-4".into())]);
    assert_eq!(rg.status, 206);
    assert_eq!(rg.body, b"345");
    assert_eq!(rg.h("Content-Range"), Some("bytes 2-4/9"));
    let rg = get(p, "dir/a.txt", &[("Range", "bytes=-2".into())]);
    assert_eq!(rg.body, b"89");
    let rg = get(p, "dir/a.txt", &[("Range", "bytes=20-".into())]);
    assert_eq!((rg.status, rg.code().as_str()), (416, "InvalidRange"));
    // Content-MD5 mismatch / malformed
    let r = put(
        p,
        "dir/b.txt",
        &[("Content-MD5", b64(&md5(b"other")))],
        body,
    );
    assert_eq!((r.status, r.code().as_str()), (400, "BadDigest"));
    let r = put(p, "dir/b.txt", &[("Content-MD5", "nope".into())], body);
    assert_eq!((r.status, r.code().as_str()), (400, "InvalidDigest"));
    assert_eq!(get(p, "dir/b.txt", &[]).status, 404);
    // unicode key
    let r = put(p, "文件夹/测试 文件+1.txt", &[], b"u");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(get(p, "文件夹/测试 文件+1.txt", &[]).body, b"u");
    // delete
    assert_eq!(signed(p, "DELETE", "dir/a.txt", &[], &[], b"").status, 204);
    let g = get(p, "dir/a.txt", &[]);
    assert_eq!((g.status, g.code().as_str()), (404, "NoSuchKey"));
    assert!(g.text().contains("<RequestId>"));
}

#[test]
fn presigned_urls_and_public_read() {
    let e = start("presign");
    let p = e.handle.port();
    put(
        p,
        "pub.txt",
        &[("x-cos-acl", "public-read".into())],
        b"public",
    );
    put(p, "priv.txt", &[], b"private");
    assert_eq!(
        raw(p, "GET", "/pub.txt", &[("Host", HOST.into())], b"").body,
        b"public"
    );
    let presign = |key: &str, method: &str, kt: &str, extra: &str| {
        let a = authorization(
            AK,
            SK,
            method,
            &format!("/{key}"),
            &[],
            &[("host", HOST.into())],
            kt,
        );
        let q: String = a
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                format!("{k}={}", url_encode(v))
            })
            .collect::<Vec<_>>()
            .join("&");
        format!("/{key}?{q}{extra}")
    };
    let t = presign("priv.txt", "GET", &key_time(), "");
    let r = raw(p, "GET", &t, &[("Host", HOST.into())], b"");
    assert_eq!((r.status, r.body.as_slice()), (200, &b"private"[..]));
    // expired pre-signed URL
    let n = now();
    let t = presign("priv.txt", "GET", &format!("{};{}", n - 100, n - 10), "");
    let r = raw(p, "GET", &t, &[("Host", HOST.into())], b"");
    assert_eq!(r.code(), "AccessDenied");
    // tampered: another key
    let t = presign("priv.txt", "GET", &key_time(), "").replace("/priv.txt", "/pub.txt");
    assert_eq!(
        raw(p, "GET", &t, &[("Host", HOST.into())], b"").code(),
        "SignatureDoesNotMatch"
    );
    // pre-signed PUT, and SSE-COS refused through a pre-signed upload
    let t = presign("up.txt", "PUT", &key_time(), "");
    assert_eq!(
        raw(p, "PUT", &t, &[("Host", HOST.into())], b"via url").status,
        200
    );
    // an unsigned x-cos-* header is refused (strict stance) ...
    let r = raw(
        p,
        "PUT",
        &t,
        &[
            ("Host", HOST.into()),
            ("x-cos-server-side-encryption", "AES256".into()),
        ],
        b"x",
    );
    assert_eq!((r.status, r.code().as_str()), (403, "AccessDenied"));
    // ... and a signed one still cannot ask for SSE-COS through a pre-signed upload
    let sse = [
        ("host", HOST.to_string()),
        ("x-cos-server-side-encryption", "AES256".to_string()),
    ];
    let a = authorization(AK, SK, "PUT", "/up.txt", &[], &sse, &key_time());
    let q: Vec<String> = a
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            format!("{k}={}", url_encode(v))
        })
        .collect();
    let r = raw(
        p,
        "PUT",
        &format!("/up.txt?{}", q.join("&")),
        &[("Host", HOST.into()), (sse[1].0, sse[1].1.clone())],
        b"x",
    );
    assert_eq!((r.status, r.code().as_str()), (400, "InvalidArgument"));
    // temporary credentials: token in the query
    let a = authorization(
        TMP_AK,
        TMP_SK,
        "GET",
        "/priv.txt",
        &[],
        &[("host", HOST.into())],
        &key_time(),
    );
    let q: String = a
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            format!("{k}={}", url_encode(v))
        })
        .collect::<Vec<_>>()
        .join("&");
    let r = raw(
        p,
        "GET",
        &format!("/priv.txt?{q}&x-cos-security-token={TOKEN}"),
        &[("Host", HOST.into())],
        b"",
    );
    assert_eq!(r.status, 200);
    let r = raw(
        p,
        "GET",
        &format!("/priv.txt?{q}"),
        &[("Host", HOST.into())],
        b"",
    );
    assert_eq!(r.status, 403);
}

#[test]
fn path_style_localhost_and_absolute_form() {
    let e = start("addr");
    let p = e.handle.port();
    // path-style on 127.0.0.1 signs /<bucket>/<key>
    let host = format!("127.0.0.1:{p}");
    let a = authorization(
        AK,
        SK,
        "PUT",
        &format!("/{BUCKET}/ps.txt"),
        &[],
        &[("host", host.clone())],
        &key_time(),
    );
    let r = raw(
        p,
        "PUT",
        &format!("/{BUCKET}/ps.txt"),
        &[("Host", host.clone()), ("Authorization", a)],
        b"ps",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(get(p, "ps.txt", &[]).body, b"ps");
    // <bucket>.localhost:port signs /<key>
    let lh = format!("{BUCKET}.localhost:{p}");
    let a = authorization(
        AK,
        SK,
        "GET",
        "/ps.txt",
        &[],
        &[("host", lh.clone())],
        &key_time(),
    );
    let r = raw(
        p,
        "GET",
        "/ps.txt",
        &[("Host", lh), ("Authorization", a)],
        b"",
    );
    assert_eq!(r.body, b"ps");
    // absolute-form (proxy) request with the real COS host
    let a = authorization(
        AK,
        SK,
        "GET",
        "/ps.txt",
        &[],
        &[("host", HOST.into())],
        &key_time(),
    );
    let r = raw(
        p,
        "GET",
        &format!("http://{HOST}/ps.txt"),
        &[("Host", HOST.into()), ("Authorization", a)],
        b"",
    );
    assert_eq!(r.body, b"ps");
    // path-style on the COS service domain is forbidden
    let svc = "cos.ap-guangzhou.myqcloud.com".to_string();
    let a = authorization(
        AK,
        SK,
        "GET",
        &format!("/{BUCKET}/ps.txt"),
        &[],
        &[("host", svc.clone())],
        &key_time(),
    );
    let r = raw(
        p,
        "GET",
        &format!("/{BUCKET}/ps.txt"),
        &[("Host", svc), ("Authorization", a)],
        b"",
    );
    assert_eq!(r.code(), "PathStyleDomainForbidden");
}

#[test]
fn post_object_policies() {
    let e = start("post");
    let p = e.handle.port();
    let kt = key_time();
    let exp = cos_emulator::util::iso_date(now() + 600);
    let policy = |extra: &str, exp: &str| {
        format!(
            r#"{{"expiration":"{exp}","conditions":[{{"q-sign-algorithm":"sha1"}},{{"q-ak":"{AK}"}},{{"q-sign-time":"{kt}"}},{{"bucket":"{BUCKET}"}},["starts-with","$key","uploads/"],["content-length-range",1,10]{extra}]}}"#
        )
    };
    let send = |fields: Vec<(&str, String)>, file: &[u8]| {
        let (ct, body) = post_form(&fields, "pic.png", file);
        raw(
            p,
            "POST",
            "/",
            &[("Host", HOST.into()), ("Content-Type", ct)],
            &body,
        )
    };
    // success with ${filename}, meta and SSE-COS
    let pol = policy(
        r#",["eq","$x-cos-server-side-encryption","AES256"],["starts-with","$x-cos-meta-tag",""]"#,
        &exp,
    );
    let mut f = vec![
        ("key", "uploads/${filename}".to_string()),
        ("x-cos-server-side-encryption", "AES256".into()),
        ("x-cos-meta-tag", "t1".into()),
    ];
    f.extend(policy_fields(&pol, &kt));
    let r = send(f.clone(), b"postdata");
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(r.h("x-cos-server-side-encryption"), Some("AES256"));
    assert!(r.h("x-cos-hash-crc64ecma").is_some());
    let g = get(p, "uploads/pic.png", &[]);
    assert_eq!(g.body, b"postdata");
    assert_eq!(g.h("x-cos-meta-tag"), Some("t1"));
    // success_action_status 201 and redirect
    let mut f201 = f.clone();
    f201.insert(0, ("success_action_status", "201".into()));
    let pol201 = policy(
        r#",["eq","$x-cos-server-side-encryption","AES256"],["starts-with","$x-cos-meta-tag",""]"#,
        &exp,
    );
    f201.retain(|(k, _)| {
        !matches!(
            *k,
            "policy" | "q-signature" | "q-sign-algorithm" | "q-ak" | "q-key-time"
        )
    });
    f201.extend(policy_fields(&pol201, &kt));
    let r = send(f201, b"x");
    assert_eq!(r.status, 201);
    assert!(r.text().contains("<PostResponse>"));
    // content-length-range
    let r = send(f.clone(), b"");
    assert_eq!((r.status, r.code().as_str()), (400, "EntityTooSmall"));
    let r = send(f.clone(), b"01234567890");
    assert_eq!((r.status, r.code().as_str()), (400, "EntityTooLarge"));
    // starts-with violated
    let mut bad = f.clone();
    bad[0].1 = "elsewhere/${filename}".into();
    assert_eq!(send(bad, b"x").code(), "AccessDenied");
    // missing field constrained by the policy
    let mut missing = f.clone();
    missing.retain(|(k, _)| *k != "x-cos-meta-tag");
    assert_eq!(send(missing, b"x").status, 403);
    // expired policy
    let pol_old = policy("", &cos_emulator::util::iso_date(now() - 10));
    let mut fo = vec![("key", "uploads/x".to_string())];
    fo.extend(policy_fields(&pol_old, &kt));
    let r = send(fo, b"x");
    assert_eq!((r.status, r.code().as_str()), (403, "AccessDenied"));
    // tampered policy text
    let mut ft = f.clone();
    for (k, v) in ft.iter_mut() {
        if *k == "policy" {
            *v = b64(pol.replace("uploads/", "other/").as_bytes());
        }
    }
    assert_eq!(send(ft, b"x").code(), "SignatureDoesNotMatch");
    // no signature at all
    let (ct, body) = post_form(&[("key", "uploads/anon".into())], "a", b"x");
    let r = raw(
        p,
        "POST",
        "/",
        &[("Host", HOST.into()), ("Content-Type", ct)],
        &body,
    );
    assert_eq!(r.status, 403);
}

#[test]
fn sse_cos_kms_c_and_encrypted_at_rest() {
    let e = start("sse");
    let p = e.handle.port();
    let marker = format!("PLAINTEXT-MARKER-{}", cos_emulator::util::random_hex(8));
    let big: Vec<u8> = marker
        .as_bytes()
        .iter()
        .cycle()
        .take(200_000)
        .cloned()
        .collect();
    // SSE-COS AES256 and SM4
    for alg in ["AES256", "SM4"] {
        let key = format!("cos-{alg}");
        let r = put(
            p,
            &key,
            &[("x-cos-server-side-encryption", alg.into())],
            &big,
        );
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.h("x-cos-server-side-encryption"), Some(alg));
        let g = get(p, &key, &[]);
        assert_eq!(g.body, big);
        assert_eq!(
            g.h("x-cos-hash-crc64ecma").unwrap(),
            crc64(&big).to_string()
        );
        let rg = get(p, &key, &[("Range", "bytes=65530-131080".into())]);
        assert_eq!(rg.body, &big[65530..131081]);
    }
    // SSE-KMS with context, SM4 algorithm, default key; anonymous read refused
    let ctxv = b64(br#"{"a":"asdfa","b":"123321"}"#);
    let r = put(
        p,
        "kms",
        &[
            ("x-cos-server-side-encryption", "cos/kms".into()),
            (
                "x-cos-server-side-encryption-cos-kms-key-id",
                "test-cmk".into(),
            ),
            ("x-cos-server-side-encryption-context", ctxv.clone()),
            ("x-cos-acl", "public-read".into()),
        ],
        &big,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.h("x-cos-server-side-encryption-cos-kms-key-id"),
        Some("test-cmk")
    );
    assert_eq!(get(p, "kms", &[]).body, big);
    let anon = raw(p, "GET", "/kms", &[("Host", HOST.into())], b"");
    assert_eq!((anon.status, anon.code().as_str()), (403, "AccessDenied"));
    let r = put(
        p,
        "kms-sm4",
        &[
            ("x-cos-server-side-encryption", "cos/kms".into()),
            (
                "x-cos-server-side-encryption-cos-kms-algorithm",
                "SM4".into(),
            ),
        ],
        &big,
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.h("x-cos-server-side-encryption-cos-kms-key-id").unwrap(),
        e.handle.default_kms_key_id()
    );
    assert_eq!(get(p, "kms-sm4", &[]).body, big);
    let r = put(
        p,
        "kms-x",
        &[
            ("x-cos-server-side-encryption", "cos/kms".into()),
            ("x-cos-server-side-encryption-cos-kms-key-id", "nope".into()),
        ],
        b"x",
    );
    assert_eq!(r.code(), "KmsKeyNotExist");
    let r = put(
        p,
        "kms-x",
        &[
            ("x-cos-server-side-encryption", "cos/kms".into()),
            (
                "x-cos-server-side-encryption-cos-kms-key-id",
                "off-cmk".into(),
            ),
        ],
        b"x",
    );
    assert_eq!(r.code(), "KmsKeyDisabled");
    let r = put(
        p,
        "kms-x",
        &[
            ("x-cos-server-side-encryption", "cos/kms".into()),
            (
                "x-cos-server-side-encryption-context",
                "bm90IGpzb24=".into(),
            ),
        ],
        b"x",
    );
    assert_eq!(r.code(), "InvalidArgument");
    // SSE-COS object with public-read: anonymous read works
    put(
        p,
        "cos-pub",
        &[
            ("x-cos-server-side-encryption", "AES256".into()),
            ("x-cos-acl", "public-read".into()),
        ],
        b"pubenc",
    );
    assert_eq!(
        raw(p, "GET", "/cos-pub", &[("Host", HOST.into())], b"").body,
        b"pubenc"
    );
    // SSE-C AES256 (32 bytes) and SM4 (16 bytes)
    for klen in [32usize, 16] {
        let k = random_bytes(klen);
        let key = format!("c-{klen}");
        let r = put(p, &key, &ssec_headers(&k), &big);
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(
            r.h("x-cos-server-side-encryption-customer-key-MD5")
                .unwrap(),
            b64(&md5(&k))
        );
        assert_eq!(get(p, &key, &ssec_headers(&k)).body, big);
        let h = signed(p, "HEAD", &key, &[], &ssec_headers(&k), b"");
        assert_eq!(h.status, 200);
        let wrong = get(p, &key, &ssec_headers(&random_bytes(klen)));
        assert_eq!(
            (wrong.status, wrong.code().as_str()),
            (400, "SsecDecryptHeaderInvalid")
        );
        let none = get(p, &key, &[]);
        assert_eq!(
            (none.status, none.code().as_str()),
            (400, "SsecDecryptHeaderInvalid")
        );
        // HEAD without the key answers with the metadata (README: SSE-C HEAD rule), with the
        // key it is checked
        let hn = signed(p, "HEAD", &key, &[], &[], b"");
        assert_eq!(hn.status, 200);
        assert_eq!(
            hn.h("x-cos-server-side-encryption-customer-algorithm"),
            Some(if klen == 16 { "SM4" } else { "AES256" })
        );
        assert_eq!(hn.h("x-cos-server-side-encryption-customer-key-MD5"), None);
        let hw = signed(
            p,
            "HEAD",
            &key,
            &[],
            &ssec_headers(&random_bytes(klen)),
            b"",
        );
        assert_eq!(hw.status, 400);
    }
    // SSE-C: wrong key length, MD5 mismatch
    let mut h = ssec_headers(&random_bytes(32));
    h[1].1 = b64(&random_bytes(20));
    assert_eq!(put(p, "c-bad", &h, b"x").status, 400);
    let mut h = ssec_headers(&random_bytes(32));
    h[2].1 = b64(&md5(b"other"));
    assert_eq!(put(p, "c-bad", &h, b"x").status, 400);
    // SSE + ARCHIVE refused
    let r = put(
        p,
        "arch",
        &[
            ("x-cos-server-side-encryption", "AES256".into()),
            ("x-cos-storage-class", "ARCHIVE".into()),
        ],
        b"x",
    );
    assert_eq!((r.status, r.code().as_str()), (400, "SSEHeaderNotAllowed"));
    let r = put(
        p,
        "arch",
        &[("x-cos-storage-class", "ARCHIVE".into())]
            .iter()
            .cloned()
            .chain(ssec_headers(&random_bytes(32)))
            .collect::<Vec<_>>(),
        b"x",
    );
    assert_eq!(r.code(), "SSEHeaderNotAllowed");
    // plaintext never on disk
    assert!(!data_dir_contains(&e.dir, marker.as_bytes()));
    // sanity: an unencrypted object is found (the scan works)
    put(p, "plain", &[], marker.as_bytes());
    assert!(data_dir_contains(&e.dir, marker.as_bytes()));
}

#[test]
fn archive_restore() {
    let e = start("archive");
    let p = e.handle.port();
    assert_eq!(
        put(
            p,
            "cold",
            &[("x-cos-storage-class", "ARCHIVE".into())],
            b"cold"
        )
        .status,
        200
    );
    let g = get(p, "cold", &[]);
    assert_eq!((g.status, g.code().as_str()), (403, "InvalidObjectState"));
    let h = signed(p, "HEAD", "cold", &[], &[], b"");
    assert_eq!(h.h("x-cos-storage-class"), Some("ARCHIVE"));
    let body = b"<RestoreRequest><Days>1</Days><CASJobParameters><Tier>Expedited</Tier></CASJobParameters></RestoreRequest>";
    let r = signed(p, "POST", "cold", &[("restore", "")], &[], body);
    assert_eq!(r.status, 202, "{}", r.text());
    assert_eq!(get(p, "cold", &[]).body, b"cold");
}

#[test]
fn bucket_default_encryption() {
    let e = start("bucketenc");
    let p = e.handle.port();
    let r = signed(p, "GET", "", &[("encryption", "")], &[], b"");
    assert_eq!(
        (r.status, r.code().as_str()),
        (404, "NoSuchEncryptionConfiguration")
    );
    let xml = b"<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>";
    let r = signed(
        p,
        "PUT",
        "",
        &[("encryption", "")],
        &[("Content-MD5", b64(&md5(xml)))],
        xml,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = signed(p, "GET", "", &[("encryption", "")], &[], b"");
    assert!(r.text().contains("<SSEAlgorithm>AES256</SSEAlgorithm>"));
    let r = put(p, "auto", &[], b"secret-by-default-XYZ");
    assert_eq!(r.h("x-cos-server-side-encryption"), Some("AES256"));
    assert!(!data_dir_contains(&e.dir, b"secret-by-default-XYZ"));
    // KMS default
    let xml = b"<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID>test-cmk</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>";
    assert_eq!(
        signed(p, "PUT", "", &[("encryption", "")], &[], xml).status,
        200
    );
    let r = put(p, "auto2", &[], b"x");
    assert_eq!(r.h("x-cos-server-side-encryption"), Some("cos/kms"));
    assert_eq!(
        r.h("x-cos-server-side-encryption-cos-kms-key-id"),
        Some("test-cmk")
    );
    // explicit header overrides
    let r = put(
        p,
        "auto3",
        &[("x-cos-server-side-encryption", "SM4".into())],
        b"x",
    );
    assert_eq!(r.h("x-cos-server-side-encryption"), Some("SM4"));
    assert_eq!(
        signed(p, "DELETE", "", &[("encryption", "")], &[], b"").status,
        204
    );
    let r = put(p, "auto4", &[], b"x");
    assert!(r.h("x-cos-server-side-encryption").is_none());
}

#[test]
fn multipart_crc_and_errors() {
    let e = start("multipart");
    let p = e.handle.port();
    let k = random_bytes(32);
    let data = random_bytes(2 * 1024 * 1024 + 777);
    let r = signed(
        p,
        "POST",
        "mp.bin",
        &[("uploads", "")],
        &ssec_headers(&k),
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let upload_id = upload_id(&r);
    let mut parts = Vec::new();
    for (i, chunk) in data.chunks(1024 * 1024).enumerate() {
        let n = (i + 1).to_string();
        let r = signed(
            p,
            "PUT",
            "mp.bin",
            &[("partNumber", &n), ("uploadId", &upload_id)],
            &ssec_headers(&k),
            chunk,
        );
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(
            r.h("x-cos-hash-crc64ecma").unwrap(),
            crc64(chunk).to_string()
        );
        parts.push((n, r.h("ETag").unwrap().to_string()));
    }
    // a part without the SSE-C key is refused
    let r = signed(
        p,
        "PUT",
        "mp.bin",
        &[("partNumber", "9"), ("uploadId", &upload_id)],
        &[],
        b"x",
    );
    assert_eq!(r.code(), "SsecDecryptHeaderInvalid");
    let lp = signed(p, "GET", "mp.bin", &[("uploadId", &upload_id)], &[], b"");
    assert_eq!(lp.text().matches("<Part>").count(), 3);
    // out of order
    let xml = |ps: &[(String, String)]| {
        let mut x = String::from("<CompleteMultipartUpload>");
        for (n, e) in ps {
            x.push_str(&format!(
                "<Part><PartNumber>{n}</PartNumber><ETag>{e}</ETag></Part>"
            ));
        }
        x.push_str("</CompleteMultipartUpload>");
        x
    };
    let rev: Vec<_> = parts.iter().rev().cloned().collect();
    let r = signed(
        p,
        "POST",
        "mp.bin",
        &[("uploadId", &upload_id)],
        &[],
        xml(&rev).as_bytes(),
    );
    assert_eq!(r.code(), "InvalidPartOrder");
    let mut wrong = parts.clone();
    wrong[0].1 = "\"00000000000000000000000000000000\"".into();
    let r = signed(
        p,
        "POST",
        "mp.bin",
        &[("uploadId", &upload_id)],
        &[],
        xml(&wrong).as_bytes(),
    );
    assert_eq!(r.code(), "InvalidPart");
    let r = signed(
        p,
        "POST",
        "mp.bin",
        &[("uploadId", &upload_id)],
        &[],
        xml(&parts).as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.h("x-cos-hash-crc64ecma").unwrap(),
        crc64(&data).to_string()
    );
    let g = get(p, "mp.bin", &ssec_headers(&k));
    assert_eq!(g.body, data);
    assert_eq!(
        g.h("x-cos-hash-crc64ecma").unwrap(),
        crc64(&data).to_string()
    );
    let rg = get(
        p,
        "mp.bin",
        &[("Range", "bytes=1048570-1048590".to_string())]
            .iter()
            .cloned()
            .chain(ssec_headers(&k))
            .collect::<Vec<_>>(),
    );
    assert_eq!(rg.body, &data[1048570..1048591]);
    // gone after completion
    let r = signed(p, "GET", "mp.bin", &[("uploadId", &upload_id)], &[], b"");
    assert_eq!((r.status, r.code().as_str()), (404, "NoSuchUpload"));
    // small non-last part
    let r = signed(p, "POST", "small.bin", &[("uploads", "")], &[], b"");
    let id = common::upload_id(&r);
    let e1 = signed(
        p,
        "PUT",
        "small.bin",
        &[("partNumber", "1"), ("uploadId", &id)],
        &[],
        b"a",
    )
    .h("ETag")
    .unwrap()
    .to_string();
    let e2 = signed(
        p,
        "PUT",
        "small.bin",
        &[("partNumber", "2"), ("uploadId", &id)],
        &[],
        b"b",
    )
    .h("ETag")
    .unwrap()
    .to_string();
    let r = signed(
        p,
        "POST",
        "small.bin",
        &[("uploadId", &id)],
        &[],
        xml(&[("1".into(), e1), ("2".into(), e2)]).as_bytes(),
    );
    assert_eq!(r.code(), "EntityTooSmall");
    assert_eq!(
        signed(p, "DELETE", "small.bin", &[("uploadId", &id)], &[], b"").status,
        204
    );
}

#[test]
fn copy_and_append() {
    let e = start("copy");
    let p = e.handle.port();
    let k = random_bytes(32);
    put(p, "src", &ssec_headers(&k), b"copy me");
    let src_hdr = ("x-cos-copy-source", format!("{HOST}/src"));
    // without the copy-source key
    let r = put(p, "dst", std::slice::from_ref(&src_hdr), b"");
    assert_eq!(r.code(), "SsecDecryptHeaderInvalid");
    let mut h = vec![
        src_hdr.clone(),
        ("x-cos-server-side-encryption", "AES256".into()),
    ];
    for (n, v) in ssec_headers(&k) {
        let n: &'static str = match n {
            "x-cos-server-side-encryption-customer-algorithm" => {
                "x-cos-copy-source-server-side-encryption-customer-algorithm"
            }
            "x-cos-server-side-encryption-customer-key" => {
                "x-cos-copy-source-server-side-encryption-customer-key"
            }
            _ => "x-cos-copy-source-server-side-encryption-customer-key-MD5",
        };
        h.push((n, v));
    }
    let r = put(p, "dst", &h, b"");
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("<CopyObjectResult>"));
    assert_eq!(r.h("x-cos-server-side-encryption"), Some("AES256"));
    assert_eq!(get(p, "dst", &[]).body, b"copy me");
    // append
    let r = signed(
        p,
        "POST",
        "log",
        &[("append", ""), ("position", "0")],
        &[("x-cos-server-side-encryption", "AES256".into())],
        b"hello ",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.h("x-cos-next-append-position"), Some("6"));
    let r = signed(
        p,
        "POST",
        "log",
        &[("append", ""), ("position", "3")],
        &[],
        b"x",
    );
    assert_eq!(
        (r.status, r.code().as_str()),
        (409, "PositionNotEqualToLength")
    );
    let r = signed(
        p,
        "POST",
        "log",
        &[("append", ""), ("position", "6")],
        &[],
        b"world",
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.h("x-cos-hash-crc64ecma").unwrap(),
        crc64(b"hello world").to_string()
    );
    let g = get(p, "log", &[]);
    assert_eq!(g.body, b"hello world");
    assert_eq!(
        g.h("x-cos-hash-crc64ecma").unwrap(),
        crc64(b"hello world").to_string()
    );
    let r = signed(
        p,
        "POST",
        "dst",
        &[("append", ""), ("position", "7")],
        &[],
        b"x",
    );
    assert_eq!(r.code(), "ObjectNotAppendable");
}

#[test]
fn cors_preflight_and_expose() {
    let e = start("cors");
    let p = e.handle.port();
    let r = raw(
        p,
        "OPTIONS",
        "/k",
        &[
            ("Host", HOST.into()),
            ("Origin", "http://127.0.0.1:8080".into()),
            ("Access-Control-Request-Method", "PUT".into()),
            (
                "Access-Control-Request-Headers",
                "authorization,x-cos-server-side-encryption-customer-key,content-type".into(),
            ),
        ],
        b"",
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.h("Access-Control-Allow-Origin"),
        Some("http://127.0.0.1:8080")
    );
    assert!(r
        .h("Access-Control-Allow-Headers")
        .unwrap()
        .contains("x-cos-server-side-encryption-customer-key"));
    let exp = r.h("Access-Control-Expose-Headers").unwrap();
    for h in [
        "ETag",
        "x-cos-hash-crc64ecma",
        "x-cos-server-side-encryption-customer-key-MD5",
        "x-cos-request-id",
        "Date",
    ] {
        assert!(exp.contains(h), "{h}");
    }
    let r = raw(
        p,
        "OPTIONS",
        "/k",
        &[
            ("Host", HOST.into()),
            ("Origin", "http://evil.example".into()),
            ("Access-Control-Request-Method", "PUT".into()),
        ],
        b"",
    );
    assert_eq!((r.status, r.code().as_str()), (403, "AccessForbidden"));
    // actual request gets the CORS headers too (even an error)
    let r = raw(
        p,
        "GET",
        "/k",
        &[
            ("Host", HOST.into()),
            ("Origin", "http://127.0.0.1:8080".into()),
        ],
        b"",
    );
    assert_eq!(
        r.h("Access-Control-Allow-Origin"),
        Some("http://127.0.0.1:8080")
    );
}

/// `--cors-expose-headers` replaces the exposed list on preflights and actual responses, so a
/// test can play a bucket whose CORS rule forgets `ETag` (cos-wasm/upload's
/// ERR_CORS_ETAG_NOT_EXPOSED).
#[test]
fn cors_expose_headers_option() {
    let dir = temp_dir("cors-expose");
    let mut cfg = config(&dir);
    cfg.cors_expose_headers = Some("x-cos-request-id, Date".into());
    let h = cos_emulator::serve(cfg).unwrap();
    let origin = ("Origin", "http://127.0.0.1:8080".to_string());
    let pre = raw(
        h.port(),
        "OPTIONS",
        "/k",
        &[
            ("Host", HOST.into()),
            origin.clone(),
            ("Access-Control-Request-Method", "PUT".into()),
        ],
        b"",
    );
    let got = raw(h.port(), "GET", "/k", &[("Host", HOST.into()), origin], b"");
    for r in [pre, got] {
        assert_eq!(
            r.h("Access-Control-Expose-Headers"),
            Some("x-cos-request-id, Date")
        );
    }
    h.shutdown();
}

#[test]
fn restart_durability_and_master_key_rotation() {
    let dir = temp_dir("restart");
    let k = random_bytes(32);
    {
        let h = cos_emulator::serve(config(&dir)).unwrap();
        let p = h.port();
        put(
            p,
            "a",
            &[
                ("x-cos-server-side-encryption", "AES256".into()),
                ("x-cos-meta-x", "1".into()),
            ],
            b"survives",
        );
        put(p, "c", &ssec_headers(&k), b"ssec survives");
        put(
            p,
            "kms",
            &[("x-cos-server-side-encryption", "cos/kms".into())],
            b"kms survives",
        );
        h.shutdown();
    }
    let mut cfg = config(&dir);
    cfg.rotate_master_key = true;
    let h = cos_emulator::serve(cfg).unwrap();
    let p = h.port();
    let g = get(p, "a", &[]);
    assert_eq!(g.body, b"survives");
    assert_eq!(g.h("x-cos-meta-x"), Some("1"));
    assert_eq!(get(p, "c", &ssec_headers(&k)).body, b"ssec survives");
    assert_eq!(get(p, "kms", &[]).body, b"kms survives");
    put(
        p,
        "b",
        &[("x-cos-server-side-encryption", "AES256".into())],
        b"new key",
    );
    assert_eq!(get(p, "b", &[]).body, b"new key");
    // two master keys on disk now
    let mk = std::fs::read_to_string(dir.join("keys/master-keys.json")).unwrap();
    assert_eq!(mk.matches("mk-").count(), 3); // current + 2 ids
}

#[test]
fn concurrent_writers_same_key() {
    let e = start("concurrent");
    let p = e.handle.port();
    let bodies: Vec<Vec<u8>> = (0..8u8).map(|i| vec![b'a' + i; 300_000]).collect();
    let threads: Vec<_> = bodies
        .iter()
        .cloned()
        .map(|b| {
            std::thread::spawn(move || {
                put(
                    p,
                    "same",
                    &[("x-cos-server-side-encryption", "AES256".into())],
                    &b,
                )
                .status
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 200);
    }
    let g = get(p, "same", &[]);
    assert!(bodies.contains(&g.body), "result is one complete version");
    // exactly one data file remains for the key
    let n = std::fs::read_dir(e.dir.join("buckets").join(BUCKET).join("objects"))
        .unwrap()
        .filter(|f| {
            f.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".data")
        })
        .count();
    assert_eq!(n, 1);
}

#[test]
fn crash_mid_upload_leaves_no_object() {
    let e = start("crash");
    let p = e.handle.port();
    // Content-Length says 1000, connection closes after 10 bytes
    {
        use std::io::Write;
        let mut s = std::net::TcpStream::connect(("127.0.0.1", p)).unwrap();
        let a = authorization(
            AK,
            SK,
            "PUT",
            "/partial",
            &[],
            &[("Host", HOST.into())],
            &key_time(),
        );
        write!(s, "PUT /partial HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: {a}\r\nContent-Length: 1000\r\n\r\n0123456789").unwrap();
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(get(p, "partial", &[]).status, 404);
    assert_eq!(std::fs::read_dir(e.dir.join("tmp")).unwrap().count(), 0);
}

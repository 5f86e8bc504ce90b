//! On-disk layout and atomic commits.
//!
//! ```text
//! <data-dir>/tmp/                                   temp files (cleared at start-up)
//! <data-dir>/keys/{master-keys,kms-keys}.json
//! <data-dir>/buckets/<bucket>/bucket.json           bucket config (default encryption)
//! <data-dir>/buckets/<bucket>/objects/<h>.json      object metadata sidecar (h = sha256(key))
//! <data-dir>/buckets/<bucket>/objects/<h>.<id>.data object data (ciphertext when SSE)
//! <data-dir>/buckets/<bucket>/uploads/<uploadId>/   multipart state and parts
//! ```
//! Data is written to a temp file, fsynced and renamed into place; the sidecar is then written
//! the same way under a store-wide commit lock, so a crash leaves either the old or the new
//! object and concurrent writers end with one complete version.

use crate::crypto::Segment;
use crate::util::{hex, random_hex, unhex};
use serde_json::{json, Map, Value};
use sha2::Digest as _;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Writes a file atomically: temp file in the same directory, fsync, rename, fsync dir.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    atomic_write_mode(path, bytes, 0o644)
}

/// [`atomic_write`] with the file created under `mode` (0o600 for key material).
pub fn atomic_write_mode(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".tmp-{}", random_hex(8)));
    {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Server-side encryption state of a stored object or upload.
#[derive(Debug, Clone, Default)]
pub struct SseMeta {
    /// "cos", "kms" or "c".
    pub mode: String,
    /// "AES256" or "SM4".
    pub alg: String,
    /// Wrapped data key (SSE-COS: under a master key; SSE-KMS: under the CMK).
    pub wrapped_key: Option<Vec<u8>>,
    /// Master key id (SSE-COS).
    pub master_key_id: Option<String>,
    /// CMK id (SSE-KMS).
    pub kms_key_id: Option<String>,
    /// Encryption context as sent (base64 JSON) (SSE-KMS).
    pub kms_context: Option<String>,
    /// SSE-C key MD5 (base64) of the current request, echoed back. In memory only: never
    /// written to disk (only `customer_salt` and `customer_hmac` are).
    pub customer_key_md5: Option<String>,
    /// Salt for the SSE-C key HMAC.
    pub customer_salt: Option<Vec<u8>>,
    /// HMAC-SHA256(salt, key): the only trace of an SSE-C key.
    pub customer_hmac: Option<Vec<u8>>,
}

impl SseMeta {
    fn to_json(&self) -> Value {
        json!({
            "mode": self.mode,
            "alg": self.alg,
            "wrapped_key": self.wrapped_key.as_ref().map(|k| hex(k)),
            "master_key_id": self.master_key_id,
            "kms_key_id": self.kms_key_id,
            "kms_context": self.kms_context,
            "customer_salt": self.customer_salt.as_ref().map(|k| hex(k)),
            "customer_hmac": self.customer_hmac.as_ref().map(|k| hex(k)),
        })
    }
    fn from_json(v: &Value) -> Option<SseMeta> {
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let h = |k: &str| s(k).and_then(|x| unhex(&x));
        Some(SseMeta {
            mode: s("mode")?,
            alg: s("alg")?,
            wrapped_key: h("wrapped_key"),
            master_key_id: s("master_key_id"),
            kms_key_id: s("kms_key_id"),
            kms_context: s("kms_context"),
            // never read back: only the salt and the HMAC of an SSE-C key are stored
            customer_key_md5: None,
            customer_salt: h("customer_salt"),
            customer_hmac: h("customer_hmac"),
        })
    }
}

/// Object metadata sidecar.
#[derive(Debug, Clone, Default)]
pub struct ObjectMeta {
    /// Object key.
    pub key: String,
    /// Plaintext size.
    pub size: u64,
    /// ETag without quotes.
    pub etag: String,
    /// CRC-64/XZ of the plaintext.
    pub crc64: u64,
    /// Unix seconds.
    pub last_modified: i64,
    /// Content-Type.
    pub content_type: String,
    /// Stored response headers: Cache-Control, Content-Disposition, Content-Encoding,
    /// Content-Language, Expires, x-cos-meta-* (names lowercase for meta).
    pub headers: Vec<(String, String)>,
    /// `private`, `public-read`, `public-read-write` or `default`.
    pub acl: String,
    /// Storage class.
    pub storage_class: String,
    /// Archive restored?
    pub restored: bool,
    /// `normal`, `appendable` or `multipart`... (x-cos-object-type).
    pub object_type: String,
    /// Data file name (in the objects dir).
    pub data_file: String,
    /// Encrypted segments (empty when unencrypted).
    pub segments: Vec<Segment>,
    /// SSE state.
    pub sse: Option<SseMeta>,
    /// The multipart upload this object was completed from (lets start-up recovery remove
    /// that upload's parts if a crash came between the commit and their removal).
    pub completed_upload: Option<String>,
}

fn segs_to_json(segs: &[Segment]) -> Value {
    Value::Array(
        segs.iter()
            .map(|s| json!({"size": s.size, "prefix": hex(&s.prefix)}))
            .collect(),
    )
}

fn segs_from_json(v: Option<&Value>) -> Vec<Segment> {
    v.and_then(|a| a.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|s| {
                    let size = s.get("size")?.as_u64()?;
                    let p = unhex(s.get("prefix")?.as_str()?)?;
                    let prefix: [u8; 8] = p.try_into().ok()?;
                    Some(Segment { size, prefix })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn pairs_to_json(p: &[(String, String)]) -> Value {
    Value::Array(p.iter().map(|(k, v)| json!([k, v])).collect())
}

fn pairs_from_json(v: Option<&Value>) -> Vec<(String, String)> {
    v.and_then(|a| a.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|p| {
                    Some((
                        p.get(0)?.as_str()?.to_string(),
                        p.get(1)?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

impl ObjectMeta {
    /// To JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "key": self.key,
            "size": self.size,
            "etag": self.etag,
            "crc64": self.crc64.to_string(),
            "last_modified": self.last_modified,
            "content_type": self.content_type,
            "headers": pairs_to_json(&self.headers),
            "acl": self.acl,
            "storage_class": self.storage_class,
            "restored": self.restored,
            "object_type": self.object_type,
            "data_file": self.data_file,
            "segments": segs_to_json(&self.segments),
            "sse": self.sse.as_ref().map(|s| s.to_json()),
            "completed_upload": self.completed_upload,
        })
    }

    /// From JSON.
    pub fn from_json(v: &Value) -> Option<ObjectMeta> {
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        Some(ObjectMeta {
            key: s("key")?,
            size: v.get("size")?.as_u64()?,
            etag: s("etag")?,
            crc64: s("crc64")?.parse().ok()?,
            last_modified: v.get("last_modified")?.as_i64()?,
            content_type: s("content_type").unwrap_or_default(),
            headers: pairs_from_json(v.get("headers")),
            acl: s("acl").unwrap_or_else(|| "default".into()),
            storage_class: s("storage_class").unwrap_or_else(|| "STANDARD".into()),
            restored: v.get("restored").and_then(|x| x.as_bool()).unwrap_or(false),
            object_type: s("object_type").unwrap_or_else(|| "normal".into()),
            data_file: s("data_file")?,
            segments: segs_from_json(v.get("segments")),
            sse: v.get("sse").and_then(SseMeta::from_json),
            completed_upload: s("completed_upload"),
        })
    }
}

/// Multipart upload state.
#[derive(Debug, Clone, Default)]
pub struct UploadMeta {
    /// Upload id.
    pub upload_id: String,
    /// Target key.
    pub key: String,
    /// Initiated (unix seconds).
    pub initiated: i64,
    /// The object's future metadata (size/etag/data_file unset).
    pub template: ObjectMeta,
}

/// One uploaded part.
#[derive(Debug, Clone)]
pub struct PartMeta {
    /// Part number.
    pub number: u32,
    /// Plaintext size.
    pub size: u64,
    /// ETag without quotes.
    pub etag: String,
    /// Plaintext MD5 (hex) for the multipart ETag.
    pub md5: String,
    /// CRC-64.
    pub crc64: u64,
    /// Nonce prefix when encrypted.
    pub prefix: Option<[u8; 8]>,
    /// Unix seconds.
    pub last_modified: i64,
}

impl PartMeta {
    fn to_json(&self) -> Value {
        json!({"number": self.number, "size": self.size, "etag": self.etag, "md5": self.md5,
               "crc64": self.crc64.to_string(), "prefix": self.prefix.map(|p| hex(&p)),
               "last_modified": self.last_modified})
    }
    fn from_json(v: &Value) -> Option<PartMeta> {
        Some(PartMeta {
            number: v.get("number")?.as_u64()? as u32,
            size: v.get("size")?.as_u64()?,
            etag: v.get("etag")?.as_str()?.to_string(),
            md5: v.get("md5")?.as_str()?.to_string(),
            crc64: v.get("crc64")?.as_str()?.parse().ok()?,
            prefix: v
                .get("prefix")
                .and_then(|p| p.as_str())
                .and_then(unhex)
                .and_then(|p| p.try_into().ok()),
            last_modified: v.get("last_modified")?.as_i64()?,
        })
    }
}

/// Bucket configuration.
#[derive(Debug, Clone, Default)]
pub struct BucketConfig {
    /// Default encryption: ("AES256" | "SM4" | "KMS", optional CMK id).
    pub encryption: Option<(String, Option<String>)>,
    /// Creation time.
    pub created: i64,
}

/// Environment variable naming a commit point at which the process aborts (as `kill -9`
/// would), for the crash-recovery tests. Test-only: never set it otherwise.
pub const CRASH_ENV: &str = "COS_EMULATOR_CRASH_AT";

/// Aborts the process when [`CRASH_ENV`] names this point. Points: `data-placed` (data file
/// renamed into place, metadata not committed), `meta-committed` (metadata committed, the
/// replaced data file not yet removed), `part-placed` (part data renamed, part metadata not
/// written), `complete-committed` (completed object committed, the upload's parts not yet
/// removed).
pub fn crash_point(name: &str) {
    static AT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    if AT.get_or_init(|| std::env::var(CRASH_ENV).ok()).as_deref() == Some(name) {
        std::process::abort();
    }
}

/// How often [`Store::open_object`] re-reads metadata replaced under it.
const OPEN_RETRIES: usize = 16;

/// The object store.
pub struct Store {
    root: PathBuf,
    commit: Mutex<()>,
}

/// sha256 hex of a key: the file stem.
/// Opens a file without following a symlink in its last component (`O_NOFOLLOW`: ELOOP).
/// The directories above it are checked by [`Store::guard`].
pub fn open_nofollow(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// [`fs::read`] through [`open_nofollow`].
pub fn read_nofollow(path: &Path) -> io::Result<Vec<u8>> {
    let mut v = Vec::new();
    io::Read::read_to_end(&mut open_nofollow(path)?, &mut v)?;
    Ok(v)
}

/// The error for a symlink found where the data directory holds files or directories.
pub fn symlink_refused() -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        "a symlink inside the data directory is never followed",
    )
}

/// Whether `path` exists and is a symlink (not followed).
pub fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

pub fn key_hash(key: &str) -> String {
    hex(&sha2::Sha256::digest(key.as_bytes()))
}

impl Store {
    /// Opens the store, clearing temp files left by a crash.
    pub fn open(root: &Path) -> io::Result<Store> {
        fs::create_dir_all(root.join("buckets"))?;
        let tmp = root.join("tmp");
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(&tmp)?;
        let store = Store {
            root: root.to_path_buf(),
            commit: Mutex::new(()),
        };
        store.recover()?;
        Ok(store)
    }

    /// Start-up recovery after a crash: removes data files no sidecar refers to (a crash
    /// between placing data and committing metadata, or between committing and removing the
    /// replaced file), half-written `.tmp-*` files, and the parts of uploads that were already
    /// completed.
    fn recover(&self) -> io::Result<()> {
        let Ok(buckets) = fs::read_dir(self.root.join("buckets")) else {
            return Ok(());
        };
        for b in buckets.flatten() {
            let bucket = b.file_name().to_string_lossy().to_string();
            // never follow a symlink out of the data directory (it once deleted files there)
            if !b.file_type().is_ok_and(|t| t.is_dir()) || self.guard(&bucket).is_err() {
                continue;
            }
            let objects = self.objects_dir(&bucket);
            let mut referenced = std::collections::HashSet::new();
            let mut completed = std::collections::HashSet::new();
            let mut data_files = Vec::new();
            for e in fs::read_dir(&objects).into_iter().flatten().flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if !e.file_type().is_ok_and(|t| t.is_file()) {
                    continue;
                }
                if name.starts_with(".tmp-") {
                    let _ = fs::remove_file(e.path());
                } else if name.ends_with(".data") {
                    data_files.push(name);
                } else if name.ends_with(".json") {
                    let meta = read_nofollow(&e.path())
                        .ok()
                        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                        .as_ref()
                        .and_then(ObjectMeta::from_json);
                    if let Some(m) = meta {
                        referenced.insert(m.data_file);
                        if let Some(u) = m.completed_upload {
                            completed.insert(u);
                        }
                    }
                }
            }
            for d in data_files {
                if !referenced.contains(&d) {
                    let _ = fs::remove_file(objects.join(d));
                }
            }
            for u in completed {
                if u.is_empty() || !u.bytes().all(|c| c.is_ascii_alphanumeric()) {
                    continue;
                }
                let dir = self.upload_dir(&bucket, &u);
                if dir.exists() {
                    fs::remove_dir_all(dir)?;
                }
            }
            // parts whose metadata was never written
            for u in fs::read_dir(self.bucket_dir(&bucket).join("uploads"))
                .into_iter()
                .flatten()
                .flatten()
            {
                if !u.file_type().is_ok_and(|t| t.is_dir()) {
                    continue;
                }
                for e in fs::read_dir(u.path()).into_iter().flatten().flatten() {
                    let name = e.file_name().to_string_lossy().to_string();
                    if !e.file_type().is_ok_and(|t| t.is_file()) {
                        continue;
                    }
                    let orphan_part = name
                        .strip_suffix(".data")
                        .is_some_and(|stem| !u.path().join(format!("{stem}.json")).exists());
                    if orphan_part || name.starts_with(".tmp-") {
                        let _ = fs::remove_file(e.path());
                    }
                }
            }
        }
        Ok(())
    }

    /// Refuses a bucket whose directories (`buckets/`, the bucket, `objects/`, `uploads/`) are
    /// symlinks: nothing in the data directory is followed out of it. Files are opened with
    /// [`open_nofollow`].
    fn guard(&self, bucket: &str) -> io::Result<()> {
        let b = self.bucket_dir(bucket);
        let dirs = [
            self.root.join("buckets"),
            b.clone(),
            b.join("objects"),
            b.join("uploads"),
        ];
        if dirs.iter().any(|d| is_symlink(d)) {
            return Err(symlink_refused());
        }
        Ok(())
    }

    /// Temp directory (same filesystem as the objects, so rename is atomic).
    pub fn tmp_path(&self) -> PathBuf {
        self.root.join("tmp").join(random_hex(12))
    }

    fn bucket_dir(&self, bucket: &str) -> PathBuf {
        self.root.join("buckets").join(bucket)
    }

    /// Objects directory.
    pub fn objects_dir(&self, bucket: &str) -> PathBuf {
        self.bucket_dir(bucket).join("objects")
    }

    /// Does the bucket exist?
    pub fn bucket_exists(&self, bucket: &str) -> bool {
        if self.guard(bucket).is_err() {
            return false;
        }
        self.bucket_dir(bucket).join("bucket.json").exists()
    }

    /// Creates the bucket on first use.
    pub fn ensure_bucket(&self, bucket: &str, now: i64) -> io::Result<()> {
        self.guard(bucket)?;
        if self.bucket_exists(bucket) {
            return Ok(());
        }
        let _g = self.commit.lock().unwrap_or_else(|e| e.into_inner());
        if self.bucket_exists(bucket) {
            return Ok(());
        }
        fs::create_dir_all(self.objects_dir(bucket))?;
        fs::create_dir_all(self.bucket_dir(bucket).join("uploads"))?;
        let cfg = BucketConfig {
            encryption: None,
            created: now,
        };
        self.write_bucket_config_locked(bucket, &cfg)
    }

    /// All bucket names.
    pub fn list_buckets(&self) -> Vec<(String, i64)> {
        let mut out = Vec::new();
        if let Ok(rd) = fs::read_dir(self.root.join("buckets")) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if let Ok(c) = self.bucket_config(&name) {
                    out.push((name, c.created));
                }
            }
        }
        out.sort();
        out
    }

    /// Reads the bucket config.
    pub fn bucket_config(&self, bucket: &str) -> io::Result<BucketConfig> {
        self.guard(bucket)?;
        let v: Value = serde_json::from_slice(&read_nofollow(
            &self.bucket_dir(bucket).join("bucket.json"),
        )?)?;
        let encryption = v.get("encryption").and_then(|e| {
            Some((
                e.get("alg")?.as_str()?.to_string(),
                e.get("kms_key_id")
                    .and_then(|k| k.as_str())
                    .map(str::to_string),
            ))
        });
        Ok(BucketConfig {
            encryption,
            created: v.get("created").and_then(|c| c.as_i64()).unwrap_or(0),
        })
    }

    fn write_bucket_config_locked(&self, bucket: &str, cfg: &BucketConfig) -> io::Result<()> {
        let enc = cfg
            .encryption
            .as_ref()
            .map(|(a, k)| json!({"alg": a, "kms_key_id": k}));
        atomic_write(
            &self.bucket_dir(bucket).join("bucket.json"),
            &serde_json::to_vec(&json!({"encryption": enc, "created": cfg.created}))?,
        )
    }

    /// Writes the bucket config.
    pub fn write_bucket_config(&self, bucket: &str, cfg: &BucketConfig) -> io::Result<()> {
        self.guard(bucket)?;
        let _g = self.commit.lock().unwrap_or_else(|e| e.into_inner());
        self.write_bucket_config_locked(bucket, cfg)
    }

    /// Deletes an empty bucket. Ok(false) if not empty.
    pub fn delete_bucket(&self, bucket: &str) -> io::Result<bool> {
        self.guard(bucket)?;
        let _g = self.commit.lock().unwrap_or_else(|e| e.into_inner());
        let has_objects = fs::read_dir(self.objects_dir(bucket))
            .map(|rd| {
                rd.flatten()
                    .any(|e| e.file_name().to_string_lossy().ends_with(".json"))
            })
            .unwrap_or(false);
        if has_objects {
            return Ok(false);
        }
        fs::remove_dir_all(self.bucket_dir(bucket))?;
        Ok(true)
    }

    fn meta_path(&self, bucket: &str, key: &str) -> PathBuf {
        self.objects_dir(bucket)
            .join(format!("{}.json", key_hash(key)))
    }

    /// Reads object metadata.
    pub fn get_meta(&self, bucket: &str, key: &str) -> io::Result<Option<ObjectMeta>> {
        self.guard(bucket)?;
        match read_nofollow(&self.meta_path(bucket, key)) {
            Ok(b) => {
                let v: Value = serde_json::from_slice(&b)?;
                let m = ObjectMeta::from_json(&v)
                    .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "bad sidecar"))?;
                Ok(Some(m))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Reads an object's metadata and opens its data file as one consistent pair. A concurrent
    /// overwrite may delete the data file between the two steps; then the (new) metadata is
    /// read again. An open file stays readable after it is unlinked, so a reader never sees a
    /// half-replaced object.
    pub fn open_object(&self, bucket: &str, key: &str) -> io::Result<Option<(ObjectMeta, File)>> {
        let mut last = None;
        for _ in 0..OPEN_RETRIES {
            let Some(meta) = self.get_meta(bucket, key)? else {
                return Ok(None);
            };
            match self.open_data(bucket, &meta) {
                Ok(f) => return Ok(Some((meta, f))),
                Err(e) if e.kind() == io::ErrorKind::NotFound => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("object kept changing")))
    }

    /// Opens an object's data file.
    pub fn open_data(&self, bucket: &str, meta: &ObjectMeta) -> io::Result<File> {
        self.guard(bucket)?;
        open_nofollow(&self.objects_dir(bucket).join(&meta.data_file))
    }

    /// Moves a finished (fsynced) temp data file into the objects dir and returns its name.
    pub fn place_data(&self, bucket: &str, key: &str, tmp: &Path) -> io::Result<String> {
        self.guard(bucket)?;
        let name = format!("{}.{}.data", key_hash(key), random_hex(8));
        fs::rename(tmp, self.objects_dir(bucket).join(&name))?;
        crash_point("data-placed");
        Ok(name)
    }

    /// Commits metadata (data file already placed). `expect`: when Some, the commit only
    /// happens if the current data file is the given one (append's compare-and-swap);
    /// returns Ok(false) if it was not.
    pub fn commit(
        &self,
        bucket: &str,
        meta: &ObjectMeta,
        expect: Option<Option<&str>>,
    ) -> io::Result<bool> {
        let _g = self.commit.lock().unwrap_or_else(|e| e.into_inner());
        let old = self.get_meta(bucket, &meta.key).ok().flatten();
        if let Some(exp) = expect {
            if old.as_ref().map(|m| m.data_file.as_str()) != exp {
                let _ = fs::remove_file(self.objects_dir(bucket).join(&meta.data_file));
                return Ok(false);
            }
        }
        atomic_write(
            &self.meta_path(bucket, &meta.key),
            &serde_json::to_vec(&meta.to_json())?,
        )?;
        crash_point("meta-committed");
        if let Some(old) = old {
            if old.data_file != meta.data_file {
                let _ = fs::remove_file(self.objects_dir(bucket).join(&old.data_file));
            }
        }
        Ok(true)
    }

    /// Commits an object completed from a multipart upload and removes the upload, as one step
    /// under the commit lock: Ok(false) (and the placed data removed) if the upload is gone,
    /// so an upload is completed at most once.
    pub fn commit_upload(
        &self,
        bucket: &str,
        meta: &ObjectMeta,
        upload_id: &str,
    ) -> io::Result<bool> {
        let _g = self.commit.lock().unwrap_or_else(|e| e.into_inner());
        let dir = self.upload_dir(bucket, upload_id);
        if !dir.join("upload.json").exists() {
            let _ = fs::remove_file(self.objects_dir(bucket).join(&meta.data_file));
            return Ok(false);
        }
        let old = self.get_meta(bucket, &meta.key).ok().flatten();
        let mut meta = meta.clone();
        meta.completed_upload = Some(upload_id.to_string());
        atomic_write(
            &self.meta_path(bucket, &meta.key),
            &serde_json::to_vec(&meta.to_json())?,
        )?;
        crash_point("complete-committed");
        if let Some(old) = old {
            if old.data_file != meta.data_file {
                let _ = fs::remove_file(self.objects_dir(bucket).join(&old.data_file));
            }
        }
        fs::remove_dir_all(dir)?;
        Ok(true)
    }

    /// Deletes an object (no error if absent).
    pub fn delete(&self, bucket: &str, key: &str) -> io::Result<()> {
        self.guard(bucket)?;
        let _g = self.commit.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = self.get_meta(bucket, key).ok().flatten() {
            fs::remove_file(self.meta_path(bucket, key))?;
            let _ = fs::remove_file(self.objects_dir(bucket).join(&old.data_file));
        }
        Ok(())
    }

    /// All object metadata in a bucket, sorted by key.
    pub fn list(&self, bucket: &str) -> Vec<ObjectMeta> {
        if self.guard(bucket).is_err() {
            return Vec::new();
        }
        let mut out = Vec::new();
        if let Ok(rd) = fs::read_dir(self.objects_dir(bucket)) {
            for e in rd.flatten() {
                let n = e.file_name().to_string_lossy().to_string();
                if n.ends_with(".json") && !n.starts_with('.') {
                    if let Ok(b) = read_nofollow(&e.path()) {
                        if let Some(m) = serde_json::from_slice::<Value>(&b)
                            .ok()
                            .as_ref()
                            .and_then(ObjectMeta::from_json)
                        {
                            out.push(m);
                        }
                    }
                }
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        out
    }

    // ---- multipart ----

    fn upload_dir(&self, bucket: &str, upload_id: &str) -> PathBuf {
        self.bucket_dir(bucket).join("uploads").join(upload_id)
    }

    /// Saves a new upload.
    pub fn create_upload(&self, bucket: &str, u: &UploadMeta) -> io::Result<()> {
        self.guard(bucket)?;
        let d = self.upload_dir(bucket, &u.upload_id);
        fs::create_dir_all(&d)?;
        let v = json!({"upload_id": u.upload_id, "key": u.key, "initiated": u.initiated,
                       "template": u.template.to_json()});
        atomic_write(&d.join("upload.json"), &serde_json::to_vec(&v)?)
    }

    /// Loads an upload.
    pub fn get_upload(&self, bucket: &str, upload_id: &str) -> Option<UploadMeta> {
        self.guard(bucket).ok()?;
        if upload_id.is_empty() || !upload_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let b = read_nofollow(&self.upload_dir(bucket, upload_id).join("upload.json")).ok()?;
        let v: Value = serde_json::from_slice(&b).ok()?;
        Some(UploadMeta {
            upload_id: v.get("upload_id")?.as_str()?.to_string(),
            key: v.get("key")?.as_str()?.to_string(),
            initiated: v.get("initiated")?.as_i64()?,
            template: ObjectMeta::from_json(v.get("template")?)?,
        })
    }

    /// All uploads in a bucket.
    pub fn list_uploads(&self, bucket: &str) -> Vec<UploadMeta> {
        if self.guard(bucket).is_err() {
            return Vec::new();
        }
        let mut out = Vec::new();
        if let Ok(rd) = fs::read_dir(self.bucket_dir(bucket).join("uploads")) {
            for e in rd.flatten() {
                if let Some(u) = self.get_upload(bucket, &e.file_name().to_string_lossy()) {
                    out.push(u);
                }
            }
        }
        out.sort_by(|a, b| (&a.key, a.initiated).cmp(&(&b.key, b.initiated)));
        out
    }

    /// Stores a part (temp data file already written and fsynced).
    pub fn put_part(
        &self,
        bucket: &str,
        upload_id: &str,
        p: &PartMeta,
        tmp: &Path,
    ) -> io::Result<()> {
        let d = self.upload_dir(bucket, upload_id);
        let _g = self.commit.lock().unwrap_or_else(|e| e.into_inner());
        if !d.join("upload.json").exists() {
            let _ = fs::remove_file(tmp);
            return Err(io::Error::new(io::ErrorKind::NotFound, "upload gone"));
        }
        fs::rename(tmp, d.join(format!("part-{}.data", p.number)))?;
        crash_point("part-placed");
        atomic_write(
            &d.join(format!("part-{}.json", p.number)),
            &serde_json::to_vec(&p.to_json())?,
        )
    }

    /// Lists parts, sorted by number.
    pub fn list_parts(&self, bucket: &str, upload_id: &str) -> Vec<PartMeta> {
        if self.guard(bucket).is_err() {
            return Vec::new();
        }
        let mut out = Vec::new();
        if let Ok(rd) = fs::read_dir(self.upload_dir(bucket, upload_id)) {
            for e in rd.flatten() {
                let n = e.file_name().to_string_lossy().to_string();
                if n.starts_with("part-") && n.ends_with(".json") {
                    if let Some(p) = read_nofollow(&e.path())
                        .ok()
                        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                        .as_ref()
                        .and_then(PartMeta::from_json)
                    {
                        out.push(p);
                    }
                }
            }
        }
        out.sort_by_key(|p| p.number);
        out
    }

    /// Path of a part's data.
    pub fn part_path(&self, bucket: &str, upload_id: &str, number: u32) -> PathBuf {
        self.upload_dir(bucket, upload_id)
            .join(format!("part-{number}.data"))
    }

    /// Removes an upload.
    pub fn delete_upload(&self, bucket: &str, upload_id: &str) -> io::Result<()> {
        self.guard(bucket)?;
        let _g = self.commit.lock().unwrap_or_else(|e| e.into_inner());
        fs::remove_dir_all(self.upload_dir(bucket, upload_id))
    }
}

/// JSON helper for optional maps.
pub fn obj() -> Map<String, Value> {
    Map::new()
}

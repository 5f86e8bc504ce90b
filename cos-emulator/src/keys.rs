//! Emulator key material: SSE-COS master keys (rotatable, by id) and a local KMS key store.
//! Persisted as JSON under `<data-dir>/keys/` (this is a dev emulator: the keys protect data at
//! rest against casual inspection, not against someone who can read the data dir).

use crate::util::{b64, random_bytes, random_hex, unb64};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// A KMS key.
#[derive(Clone)]
pub struct KmsKey {
    /// 32-byte key-encryption key.
    pub material: Vec<u8>,
    /// Disabled keys refuse new encryptions and decryptions (`KmsKeyDisabled`).
    pub enabled: bool,
}

/// All key material.
pub struct KeyStore {
    dir: PathBuf,
    /// Master keys by id.
    pub master: BTreeMap<String, Vec<u8>>,
    /// The master key used for new objects.
    pub current_master: String,
    /// KMS keys by id.
    pub kms: BTreeMap<String, KmsKey>,
    /// The default CMK used when no key id is given.
    pub default_kms: String,
}

fn master_id() -> String {
    format!("mk-{}", random_hex(8))
}

impl KeyStore {
    /// Loads or creates the key store. `extra_master`: (id, key) pairs from config (added if new;
    /// the last one becomes current). `rotate`: create a fresh master key and make it current.
    /// `kms_ids`: KMS key ids to ensure exist (`id` or `id:disabled`).
    pub fn open(
        data_dir: &Path,
        extra_master: &[(String, Vec<u8>)],
        rotate: bool,
        kms_ids: &[String],
    ) -> io::Result<KeyStore> {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = data_dir.join("keys");
        std::fs::create_dir_all(&dir)?;
        // key material: owner only (also tightens a directory made by an older version)
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
        for f in ["master-keys.json", "kms-keys.json"] {
            let p = dir.join(f);
            if p.exists() {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))?;
            }
        }
        let mut ks = KeyStore {
            dir,
            master: BTreeMap::new(),
            current_master: String::new(),
            kms: BTreeMap::new(),
            default_kms: String::new(),
        };
        let mp = ks.dir.join("master-keys.json");
        if crate::store::is_symlink(&mp) {
            return Err(crate::store::symlink_refused());
        }
        if let Ok(bytes) = std::fs::read(&mp) {
            let v: Value = serde_json::from_slice(&bytes)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            if let Some(keys) = v.get("keys").and_then(|k| k.as_object()) {
                for (id, k) in keys {
                    if let Some(m) = k.as_str().and_then(unb64) {
                        ks.master.insert(id.clone(), m);
                    }
                }
            }
            ks.current_master = v
                .get("current")
                .and_then(|c| c.as_str())
                .unwrap_or_default()
                .to_string();
        }
        let mut changed = false;
        for (id, k) in extra_master {
            if k.len() != 32 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "master keys must be 32 bytes (base64)",
                ));
            }
            if ks.master.get(id) != Some(k) {
                ks.master.insert(id.clone(), k.clone());
                changed = true;
            }
            if ks.current_master != *id {
                ks.current_master = id.clone();
                changed = true;
            }
        }
        if rotate || !ks.master.contains_key(&ks.current_master) {
            let id = master_id();
            ks.master.insert(id.clone(), random_bytes(32));
            ks.current_master = id;
            changed = true;
        }
        if changed {
            let keys: serde_json::Map<String, Value> = ks
                .master
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(b64(v))))
                .collect();
            crate::store::atomic_write_mode(
                &mp,
                serde_json::to_vec_pretty(&json!({"current": ks.current_master, "keys": keys}))?
                    .as_slice(),
                0o600,
            )?;
        }

        let kp = ks.dir.join("kms-keys.json");
        if crate::store::is_symlink(&kp) {
            return Err(crate::store::symlink_refused());
        }
        if let Ok(bytes) = std::fs::read(&kp) {
            let v: Value = serde_json::from_slice(&bytes)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            if let Some(keys) = v.get("keys").and_then(|k| k.as_object()) {
                for (id, k) in keys {
                    let material = k.get("key").and_then(|m| m.as_str()).and_then(unb64);
                    let enabled = k.get("enabled").and_then(|e| e.as_bool()).unwrap_or(true);
                    if let Some(material) = material {
                        ks.kms.insert(id.clone(), KmsKey { material, enabled });
                    }
                }
            }
            ks.default_kms = v
                .get("default")
                .and_then(|c| c.as_str())
                .unwrap_or_default()
                .to_string();
        }
        let mut changed = false;
        if !ks.kms.contains_key(&ks.default_kms) {
            // like the CMK COS creates on first use
            let id = format!(
                "{}-{}-{}-{}-{}",
                random_hex(4),
                random_hex(2),
                random_hex(2),
                random_hex(2),
                random_hex(6)
            );
            ks.kms.insert(
                id.clone(),
                KmsKey {
                    material: random_bytes(32),
                    enabled: true,
                },
            );
            ks.default_kms = id;
            changed = true;
        }
        for spec in kms_ids {
            let (id, enabled) = match spec.strip_suffix(":disabled") {
                Some(id) => (id.to_string(), false),
                None => (spec.clone(), true),
            };
            match ks.kms.get_mut(&id) {
                Some(k) if k.enabled != enabled => {
                    k.enabled = enabled;
                    changed = true;
                }
                Some(_) => {}
                None => {
                    ks.kms.insert(
                        id,
                        KmsKey {
                            material: random_bytes(32),
                            enabled,
                        },
                    );
                    changed = true;
                }
            }
        }
        if changed {
            let keys: serde_json::Map<String, Value> = ks
                .kms
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        json!({"key": b64(&v.material), "enabled": v.enabled}),
                    )
                })
                .collect();
            crate::store::atomic_write_mode(
                &kp,
                serde_json::to_vec_pretty(&json!({"default": ks.default_kms, "keys": keys}))?
                    .as_slice(),
                0o600,
            )?;
        }
        Ok(ks)
    }
}

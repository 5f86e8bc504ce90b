//! Shared server state: configuration, object store, keys, clock.

use crate::auth::Credential;
use crate::config::Config;
use crate::keys::KeyStore;
use crate::store::Store;
use crate::sts::Sts;
use crate::util;
use std::sync::atomic::{AtomicI64, Ordering};

/// Shared server state.
pub struct State {
    /// Configuration.
    pub cfg: Config,
    /// Object store.
    pub store: Store,
    /// Keys.
    pub keys: KeyStore,
    /// Clock override set by tests (`NO_OVERRIDE` = none).
    pub now_override: AtomicI64,
    /// Slots for POST forms whose policy is not verified yet (bounds unauthenticated bodies).
    pub form_slots: tokio::sync::Semaphore,
    /// STS: the roles, and the temporary credentials issued so far (in memory only).
    pub sts: std::sync::Mutex<Sts>,
}

/// POST forms read at once before their policy is verified. A form beyond waits for a slot
/// (first come, first served) and gets 503 SlowDown only after `ops::post::SLOT_WAIT`; each
/// slot is held at most `ops::post::PREAUTH_TIME` and buffers at most about
/// `ops::post::MAX_PREAUTH_BYTES` (836 KiB), so this bounds unauthenticated memory to
/// roughly 64 × 0.85 MB.
pub const MAX_PENDING_FORMS: usize = 64;

/// No clock override.
pub const NO_OVERRIDE: i64 = i64::MIN;

impl State {
    /// The credential a SecretId names, as the list the verifiers take (empty: unknown): a
    /// configured one, or a temporary one STS issued (then `true`; its token and policy are
    /// checked by [`Sts::authorize`], so its `token` is None here).
    pub fn credential(&self, secret_id: &str) -> (Vec<Credential>, bool) {
        if let Some(c) = self
            .cfg
            .credentials
            .iter()
            .find(|c| c.secret_id == secret_id)
        {
            return (vec![c.clone()], false);
        }
        let now = self.now();
        let issued = self.sts.lock().ok().and_then(|mut sts| {
            sts.purge(now);
            sts.secret_key(secret_id).map(|k| Credential {
                secret_id: secret_id.to_string(),
                secret_key: k.to_string(),
                token: None,
            })
        });
        match issued {
            Some(c) => (vec![c], true),
            None => (Vec::new(), false),
        }
    }

    /// Current time for signature checks.
    pub fn now(&self) -> i64 {
        let o = self.now_override.load(Ordering::Relaxed);
        if o != NO_OVERRIDE {
            return o;
        }
        self.cfg.now.unwrap_or_else(util::system_now) + self.cfg.clock_offset
    }
}

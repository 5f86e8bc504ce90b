//! Shared server state: configuration, object store, keys, clock.

use crate::config::Config;
use crate::keys::KeyStore;
use crate::store::Store;
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
}

/// POST forms read at once before their policy is verified; more get 503 SlowDown.
pub const MAX_PENDING_FORMS: usize = 16;

/// No clock override.
pub const NO_OVERRIDE: i64 = i64::MIN;

impl State {
    /// Current time for signature checks.
    pub fn now(&self) -> i64 {
        let o = self.now_override.load(Ordering::Relaxed);
        if o != NO_OVERRIDE {
            return o;
        }
        self.cfg.now.unwrap_or_else(util::system_now) + self.cfg.clock_offset
    }
}

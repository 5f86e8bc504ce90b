//! Live secret keys by handle. A JS `CustomerKey` / `WrappingKey` holds only its handle,
//! so a key can be found when it is passed inside an options object (wasm-bindgen can only
//! borrow a class instance that is a direct argument); `free()` drops, and so zeroizes, it.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use std::cell::RefCell;

use super::options::{callable, get_prototype_of_probe};
use crate::error::{err, Result};
use crate::keys::{CustomerKey, WrappingKey};

/// Live secret keys by handle. A JS `CustomerKey` / `WrappingKey` holds only its handle,
/// so a key can be found when it is passed inside an options object (wasm-bindgen can only
/// borrow a class instance that is a direct argument); `free()` drops, and so zeroizes, it.
pub(super) struct Registry<T> {
    next: u32,
    /// `(handle, item)`; a handful of live keys, so a linear scan (smaller than a map).
    items: Vec<(u32, T)>,
}

impl<T: Clone> Registry<T> {
    const fn new() -> Self {
        Self {
            next: 1,
            items: Vec::new(),
        }
    }

    pub(super) fn get(&self, handle: u32) -> Option<&T> {
        self.items
            .iter()
            .find(|(h, _)| *h == handle)
            .map(|(_, item)| item)
    }

    /// Drops (and so zeroizes) the item.
    pub(super) fn remove(&mut self, handle: u32) {
        self.items.retain(|(h, _)| *h != handle);
    }

    pub(super) fn insert(&mut self, item: T) -> u32 {
        let handle = self.next;
        self.next = self.next.wrapping_add(1).max(1);
        self.items.push((handle, item));
        handle
    }
}

thread_local! {
    /// A random tag of this module instance, put into every handle: a key object made by
    /// another copy of the package (Node loads one for `import` and one for `require`) is
    /// refused instead of silently resolving to an unrelated key with the same number.
    pub(super) static INSTANCE_TAG: f64 = (js_sys::Math::random() * f64::from(1u32 << 20)).floor() + 1.0;
    pub(super) static CUSTOMER_KEYS: RefCell<Registry<CustomerKey>> = const { RefCell::new(Registry::new()) };
    pub(super) static WRAPPING_KEYS: RefCell<Registry<WrappingKey>> = const { RefCell::new(Registry::new()) };
}

pub(super) const HANDLE_SPLIT: f64 = 4_294_967_296.0;

/// The JS-visible handle: this instance's tag in the high bits, the registry counter below.
pub(super) fn public_handle(counter: u32) -> f64 {
    INSTANCE_TAG.with(|tag| tag * HANDLE_SPLIT + f64::from(counter))
}

/// The registry counter of a JS-visible handle, if it was made by this instance.
pub(super) fn handle_counter(id: f64) -> Option<u32> {
    if !(id.is_finite() && id >= 0.0 && id.fract() == 0.0) {
        return None;
    }
    let tag = (id / HANDLE_SPLIT).floor();
    let counter = id - tag * HANDLE_SPLIT;
    (INSTANCE_TAG.with(|t| *t) == tag).then_some(counter as u32)
}

/// Looks up a key object passed as a plain JS value through its handle getter. Only a getter
/// defined on the object's own prototype counts (the class's), so a polluted
/// `Object.prototype.__cosKeyHandle` or a look-alike `{ __cosKeyHandle: n }` is not a key.
/// The getter is called through a catching `Reflect.apply`; the package's JS guard makes it
/// throw a `CosError` for a freed object: `ERR_USE_AFTER_FREE`.
pub(super) fn lookup<T: Clone>(
    registry: &'static std::thread::LocalKey<RefCell<Registry<T>>>,
    value: &JsValue,
    getter: &str,
    what: &str,
) -> Result<Option<T>> {
    if !value.is_object() {
        return Ok(None);
    }
    let threw = |_| err!(UseAfterFree, "{} was freed", what);
    // Probes first: an exception caught by a value-returning import leaks (options.rs).
    // A value whose prototype cannot be read (a Proxy whose trap throws) is not a key.
    if get_prototype_of_probe(value).is_err() {
        return Ok(None);
    }
    let Ok(proto) = Reflect::get_prototype_of(value) else {
        return Ok(None);
    };
    let desc = Reflect::get_own_property_descriptor(&proto, &getter.into()).map_err(threw)?;
    if desc.is_undefined() {
        return Ok(None);
    }
    let get = Reflect::get(&desc, &"get".into()).map_err(threw)?;
    let Some(get) = get.dyn_ref::<js_sys::Function>() else {
        return Ok(None);
    };
    callable(get).call0_unit(value).map_err(threw)?;
    let handle = Reflect::apply(get, value, &js_sys::Array::new()).map_err(threw)?;
    let Some(id) = handle.as_f64() else {
        return Ok(None);
    };
    let Some(counter) = handle_counter(id) else {
        return Err(err!(InvalidArgument, "{} belongs to another copy of cos-wasm (in Node, `import` and `require` load the package twice); create and use keys through one of them", what));
    };
    registry
        .with(|r| r.borrow().get(counter).cloned())
        .map(Some)
        .ok_or_else(|| err!(UseAfterFree, "{} was freed", what))
}

// The CosError the JS helpers throw: the same shape as the wasm core's (name 'CosError',
// a stable `code`), plus optional extra fields (e.g. STS's `tencentCode`, `requestId`).
// Internal: not re-exported by the entry points.

export function cosError(code, message, props) {
  const e = new Error(message);
  e.name = 'CosError';
  e.code = code;
  if (props) Object.assign(e, props);
  return e;
}

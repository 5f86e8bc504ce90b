# workerd config for the edge worker, local development (no secrets in this file).
#   npm install                 # node_modules/cos-wasm (and workerd) beside this file; see README.md
#   COS_SECRET_ID=… COS_SECRET_KEY=… SSE_C_MASTER=… USER_TOKENS='{"<token>":"alice"}' \
#   COS_BUCKET=… COS_REGION=… ALLOWED_ORIGIN=http://127.0.0.1:8080 \
#     npx workerd serve config.capnp [--socket-addr http=127.0.0.1:8787]
# Against the local emulator also set COS_DOMAIN=127.0.0.1:PORT COS_PROTOCOL=http
# COS_PATH_STYLE=true ALLOW_INSECURE_LOCAL=true. `bash scripts/demo.sh` does all of it.
# The module names mirror the cos-wasm package's `workerd` exports: each entry this worker
# imports (`cos-wasm`, `cos-wasm/keys`, `cos-wasm/sts`) is a one-line module re-exporting its
# workerd.js, and every file of the package keeps its path, so the package's relative imports
# (./cos_wasm.js, ../errors.js, ./cos_wasm_keys_bg.wasm, ...) resolve as on disk.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  # "internet" (the worker's fetch) may also reach loopback: POST /credentials calls STS_ENDPOINT,
  # the local emulator's STS in development. The worker fetches nothing else.
  services = [ (name = "main", worker = .worker), (name = "internet", network = (allow = ["public", "private", "local"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "multipart.js", esModule = embed "multipart.js"),
    (name = "download.js", esModule = embed "download.js"),
    (name = "cos-wasm", esModule = "export * from '/node_modules/cos-wasm/workerd.js';"),
    (name = "cos-wasm/keys", esModule = "export * from '/node_modules/cos-wasm/keys/workerd.js';"),
    (name = "cos-wasm/sts", esModule = "export * from '/node_modules/cos-wasm/sts/workerd.js';"),
    (name = "node_modules/cos-wasm/workerd.js", esModule = embed "node_modules/cos-wasm/workerd.js"),
    (name = "node_modules/cos-wasm/cos_wasm.js", esModule = embed "node_modules/cos-wasm/cos_wasm.js"),
    (name = "node_modules/cos-wasm/extras.js", esModule = embed "node_modules/cos-wasm/extras.js"),
    (name = "node_modules/cos-wasm/errors.js", esModule = embed "node_modules/cos-wasm/errors.js"),
    (name = "node_modules/cos-wasm/guard.js", esModule = embed "node_modules/cos-wasm/guard.js"),
    (name = "node_modules/cos-wasm/responses.js", esModule = embed "node_modules/cos-wasm/responses.js"),
    (name = "node_modules/cos-wasm/snapshot.js", esModule = embed "node_modules/cos-wasm/snapshot.js"),
    (name = "node_modules/cos-wasm/transport.js", esModule = embed "node_modules/cos-wasm/transport.js"),
    (name = "node_modules/cos-wasm/xml.js", esModule = embed "node_modules/cos-wasm/xml.js"),
    (name = "node_modules/cos-wasm/keys/workerd.js", esModule = embed "node_modules/cos-wasm/keys/workerd.js"),
    (name = "node_modules/cos-wasm/keys/cos_wasm_keys.js", esModule = embed "node_modules/cos-wasm/keys/cos_wasm_keys.js"),
    (name = "node_modules/cos-wasm/keys/extras.js", esModule = embed "node_modules/cos-wasm/keys/extras.js"),
    (name = "node_modules/cos-wasm/sts/workerd.js", esModule = embed "node_modules/cos-wasm/sts/workerd.js"),
    (name = "node_modules/cos-wasm/sts/cos_wasm_sts.js", esModule = embed "node_modules/cos-wasm/sts/cos_wasm_sts.js"),
    (name = "node_modules/cos-wasm/sts/extras.js", esModule = embed "node_modules/cos-wasm/sts/extras.js"),
    (name = "node_modules/cos-wasm/sts/sts.js", esModule = embed "node_modules/cos-wasm/sts/sts.js"),
    (name = "node_modules/cos-wasm/cos_wasm_bg.wasm", wasm = embed "node_modules/cos-wasm/cos_wasm_bg.wasm"),
    (name = "node_modules/cos-wasm/keys/cos_wasm_keys_bg.wasm", wasm = embed "node_modules/cos-wasm/keys/cos_wasm_keys_bg.wasm"),
    (name = "node_modules/cos-wasm/sts/cos_wasm_sts_bg.wasm", wasm = embed "node_modules/cos-wasm/sts/cos_wasm_sts_bg.wasm"),
  ],
  bindings = [
    # secrets
    (name = "COS_SECRET_ID", fromEnvironment = "COS_SECRET_ID"),
    (name = "COS_SECRET_KEY", fromEnvironment = "COS_SECRET_KEY"),
    (name = "COS_SECURITY_TOKEN", fromEnvironment = "COS_SECURITY_TOKEN"),
    (name = "SSE_C_MASTER", fromEnvironment = "SSE_C_MASTER"),
    (name = "USER_TOKENS", fromEnvironment = "USER_TOKENS"),
    # settings
    (name = "COS_BUCKET", fromEnvironment = "COS_BUCKET"),
    (name = "COS_REGION", fromEnvironment = "COS_REGION"),
    (name = "COS_DOMAIN", fromEnvironment = "COS_DOMAIN"),
    (name = "COS_PROTOCOL", fromEnvironment = "COS_PROTOCOL"),
    (name = "COS_PATH_STYLE", fromEnvironment = "COS_PATH_STYLE"),
    (name = "ALLOW_INSECURE_LOCAL", fromEnvironment = "ALLOW_INSECURE_LOCAL"),
    (name = "ALLOWED_ORIGIN", fromEnvironment = "ALLOWED_ORIGIN"),
    (name = "MAX_UPLOAD_BYTES", fromEnvironment = "MAX_UPLOAD_BYTES"),
    (name = "MULTIPART_PART_BYTES", fromEnvironment = "MULTIPART_PART_BYTES"),
    (name = "ALLOWED_CONTENT_TYPES", fromEnvironment = "ALLOWED_CONTENT_TYPES"),
    (name = "OBJECT_ACL", fromEnvironment = "OBJECT_ACL"),
    (name = "STORAGE_CLASS", fromEnvironment = "STORAGE_CLASS"),
    (name = "URL_TTL_SECONDS", fromEnvironment = "URL_TTL_SECONDS"),
    (name = "KMS_KEY_ID", fromEnvironment = "KMS_KEY_ID"),
    # POST /credentials (STS), on unless ALLOW_TEMPORARY_KEYS=false; STS_ENDPOINT only for a local stand-in
    (name = "ALLOW_TEMPORARY_KEYS", fromEnvironment = "ALLOW_TEMPORARY_KEYS"),
    (name = "STS_ENDPOINT", fromEnvironment = "STS_ENDPOINT"),
    (name = "STS_REGION", fromEnvironment = "STS_REGION"),
    (name = "STS_DURATION_SECONDS", fromEnvironment = "STS_DURATION_SECONDS"),
    (name = "STS_REQUIRE_SSE", fromEnvironment = "STS_REQUIRE_SSE"),
    # GET /download through a CDN: the CDN / EdgeOne URL authentication settings of CDN_DOMAIN
    (name = "CDN_DOMAIN", fromEnvironment = "CDN_DOMAIN"),
    (name = "CDN_AUTH_KEY", fromEnvironment = "CDN_AUTH_KEY"),
    (name = "CDN_AUTH_TYPE", fromEnvironment = "CDN_AUTH_TYPE"),
    (name = "CDN_SIGN_PARAM", fromEnvironment = "CDN_SIGN_PARAM"),
    (name = "CDN_TIME_PARAM", fromEnvironment = "CDN_TIME_PARAM"),
  ],
  compatibilityDate = "2024-09-23",
);

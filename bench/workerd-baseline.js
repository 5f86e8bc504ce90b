// workerd cold-start baseline: the same server without cos-wasm, so that the difference
// in process-start → first-response is what importing cos-wasm and signing costs.
export default {
  async fetch() {
    return new Response('q-sign-algorithm=sha1&baseline');
  },
};

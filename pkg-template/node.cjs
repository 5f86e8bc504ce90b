'use strict';
// Node (CommonJS): the module is instantiated synchronously at require().
const api = require('./cos_wasm.cjs');
const extras = require('./extras.cjs');

module.exports = Object.assign({}, api, extras, {
  /** Already initialised in Node; kept so the same code runs everywhere. */
  init: async function init() {},
  /** Already initialised in Node; returns nothing here (the ESM entry returns the exports). */
  initSync: function initSync() {},
});

// Starts the Web Worker: loads wasm-bindgen's glue (no-modules build), then its module.
// Written here rather than by Trunk's loader shim, which passes the module's path in the
// form wasm-bindgen deprecated (a console warning at every page load).
importScripts("./worker.js");
wasm_bindgen({ module_or_path: "./worker_bg.wasm" });

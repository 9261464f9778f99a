// Runs a test binary compiled for wasm32-wasip1 in Node's WASI, as cargo's runner:
//   node --no-warnings scripts/wasi-run.mjs FILE.wasm [ARGS...]
// The tests read their sample files by absolute path, so the whole file system is
// opened to them (they write nothing outside the temporary folder).
import { WASI } from 'node:wasi';
import { readFileSync } from 'node:fs';

const [file, ...args] = process.argv.slice(2);
const wasi = new WASI({
  version: 'preview1',
  args: [file, ...args],
  env: process.env,
  preopens: { '/': '/' },
  returnOnExit: true,
});
const module = await WebAssembly.compile(readFileSync(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);

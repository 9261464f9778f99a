// Times the CSV workbench's stages as wasm in Node's V8 (the engine Chromium runs the
// worker in) and natively, in one run, and prints both: a benchmark, not a test.
//   node scripts/wasm-stages.mjs [--size-mb 70] [--runs 3] [--no-build]
// WASM_STAGES=path times another build of the example (to compare two builds in one run).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const sizeMb = Number(arg('size-mb', '70'));
const runs = Number(arg('runs', '3'));
if (!process.argv.includes('--no-build')) {
  execFileSync('cargo', ['build', '--release', '--quiet', '--target', 'wasm32-unknown-unknown', '--example', 'wasm_stages'], { stdio: 'inherit' });
}
const bytes = readFileSync(process.env.WASM_STAGES ?? 'target/wasm32-unknown-unknown/release/examples/wasm_stages.wasm');
const module = await WebAssembly.compile(bytes);
// Stubs for whatever the module imports (nothing the stages call).
const imports = {};
for (const imp of WebAssembly.Module.imports(module)) {
  imports[imp.module] ??= {};
  imports[imp.module][imp.name] = () => { throw new Error(`${imp.module}.${imp.name} called`); };
}
const { exports: x } = await WebAssembly.instantiate(module, imports);
const len = x.stage_generate(sizeMb);
const mb = len / 1e6;
console.log(`input ${len} bytes`);
const time = (f, ...a) => { const t = performance.now(); const r = f(...a); return [performance.now() - t, r]; };
for (let run = 0; run < runs; run++) {
  const [copy] = time(x.stage_copy);
  const [read, rows] = time(x.stage_read, 1);
  const [validate] = time(x.stage_validate);
  const [open] = time(x.stage_open);
  const [imp, impBytes] = time(x.stage_import);
  const [err] = time(x.stage_errors);
  const total = open + imp + err;
  console.log(`wasm: copy ${copy.toFixed(0)} read ${(read - copy).toFixed(0)} validate ${validate.toFixed(0)} | open ${(open - copy).toFixed(0)} import ${imp.toFixed(0)} errors ${err.toFixed(0)} ms | ${rows} rows, import ${impBytes} bytes | open+write ${(mb / ((total - copy) / 1000)).toFixed(1)} MB/s`);
}

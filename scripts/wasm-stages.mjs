// Times the CSV workbench's stages as wasm in Node's V8 (the engine Chromium runs the
// worker in) and natively, in one run, and prints both: a benchmark, not a test.
//   node scripts/wasm-stages.mjs [--size-mb 70] [--runs 3] [--no-build] [--clock | --attlog]
// --clock times the clock's user.dat (the bench's, 65,536 records) read and converted to a
// BioStar CSV with the import check, as the screen's button does, instead of the workbench.
// --attlog times the bench's attendance log (--size-mb MB) fed in 1 MiB chunks, then
// finished (duplicates found); `cargo run --release --features bench --example wasm_stages
// -- --attlog MB` times the same stages natively.
// --compare OTHER.wasm also loads another build of the example (say, an older commit's)
// into the same process and alternates the two run by run, each keeping its best.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const sizeMb = Number(arg('size-mb', '70'));
const runs = Number(arg('runs', '3'));
if (!process.argv.includes('--no-build')) {
  execFileSync('cargo', ['build', '--release', '--quiet', '--target', 'wasm32-unknown-unknown', '--example', 'wasm_stages', '--features', 'bench'], { stdio: 'inherit' });
}
const load = async (path) => {
  const module = await WebAssembly.compile(readFileSync(path));
  // Stubs for whatever the module imports (nothing the stages call).
  const imports = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    imports[imp.module] ??= {};
    imports[imp.module][imp.name] = () => { throw new Error(`${imp.module}.${imp.name} called`); };
  }
  return (await WebAssembly.instantiate(module, imports)).exports;
};
const builds = [['this', await load('target/wasm32-unknown-unknown/release/examples/wasm_stages.wasm')]];
const other = arg('compare', null);
if (other) builds.unshift(['other', await load(other)]);
const time = (f, ...a) => { const t = performance.now(); const r = f(...a); return [performance.now() - t, r]; };
if (process.argv.includes('--attlog')) {
  let len = 0;
  for (const [, x] of builds) len = x.stage_attlog_generate(sizeMb);
  for (let run = 0; run < runs; run++) {
    for (const [name, x] of builds) {
      const [feed] = time(x.stage_attlog_feed);
      const [finish, dups] = time(x.stage_attlog_finish);
      console.log(`wasm (${name}): ${len} bytes, feed ${feed.toFixed(1)} ms, finish ${finish.toFixed(1)} ms, ${dups} duplicates | ${(len / 1e6 / ((feed + finish) / 1000)).toFixed(1)} MB/s`);
    }
  }
  process.exit(0);
}
if (process.argv.includes('--clock')) {
  let bytes = 0;
  for (const [, x] of builds) bytes = x.stage_user_dat_generate();
  const mb = bytes / 1e6;
  const best = new Map();
  for (let run = 0; run < runs; run++) {
    for (const [name, x] of builds) {
      const [read, users] = time(x.stage_user_dat_read);
      const [convert, noted] = time(x.stage_user_dat_convert);
      const [drop] = time(x.stage_user_dat_drop);
      const all = read + convert + drop;
      const b = best.get(name) ?? { read: Infinity, convert: Infinity, all: Infinity };
      best.set(name, { read: Math.min(b.read, read), convert: Math.min(b.convert, convert), all: Math.min(b.all, all) });
      console.log(`wasm (${name}): read ${read.toFixed(1)} convert ${convert.toFixed(1)} drop ${drop.toFixed(1)} ms | ${users} users, ${noted} with notes | ${(mb / (all / 1000)).toFixed(1)} MB/s`);
    }
  }
  for (const [name, b] of best) {
    console.log(`best (${name}), ${bytes} bytes: read ${b.read.toFixed(1)} ms, convert ${b.convert.toFixed(1)} ms (${(mb / (b.convert / 1000)).toFixed(1)} MB/s), all ${(mb / (b.all / 1000)).toFixed(1)} MB/s`);
  }
  process.exit(0);
}
let len = 0;
for (const [, x] of builds) len = x.stage_generate(sizeMb);
const mb = len / 1e6;
console.log(`input ${len} bytes`);
const best = new Map();
for (let run = 0; run < runs; run++) {
  for (const [name, x] of builds) {
    const [copy] = time(x.stage_copy);
    const [read, rows] = time(x.stage_read, 1);
    const [validate] = time(x.stage_validate);
    const [open] = time(x.stage_open);
    const [imp, impBytes] = time(x.stage_import);
    const [err] = time(x.stage_errors);
    const total = open + imp + err;
    const figures = { read: read - copy, validate, open: open - copy, import: imp, errors: err, mbs: mb / ((total - copy) / 1000) };
    const b = best.get(name) ?? {};
    for (const [k, v] of Object.entries(figures)) b[k] = k === 'mbs' ? Math.max(b[k] ?? 0, v) : Math.min(b[k] ?? Infinity, v);
    best.set(name, b);
    console.log(`wasm (${name}): copy ${copy.toFixed(0)} read ${figures.read.toFixed(0)} validate ${validate.toFixed(0)} | open ${figures.open.toFixed(0)} import ${imp.toFixed(0)} errors ${err.toFixed(0)} ms | ${rows} rows, import ${impBytes} bytes | open+write ${figures.mbs.toFixed(1)} MB/s`);
  }
}
for (const [name, b] of best) {
  console.log(`best (${name}): read ${b.read.toFixed(0)} validate ${b.validate.toFixed(0)} | open ${b.open.toFixed(0)} import ${b.import.toFixed(0)} errors ${b.errors.toFixed(0)} ms | open+write ${b.mbs.toFixed(1)} MB/s`);
}

// Runs the core's operations natively and inside the Web Worker in headless Chromium, on
// the same generated inputs, and prints both with their ratio. The browser side is the
// release site built with the `bench` feature into dist-bench/ (the shipped site holds no
// bench code): the native example writes each input to a file, the page picks it through a
// file input and sends it to the worker as a File, so the worker reads it in slices as it
// reads a user's file.
//   node scripts/bench.mjs [--size-mb 64] [--runs 3] [--op inspect_csv] [--no-build]
// A benchmark: it prints figures and never fails on a slow machine.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from './static-server.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const sizeMb = Number(arg('size-mb', '64'));
const runs = Number(arg('runs', '3'));
const only = arg('op', null);

if (!process.argv.includes('--no-build')) {
  execFileSync('scripts/build.sh', ['--features', 'bench', '--dist', 'dist-bench'], { stdio: 'inherit' });
}
// Native and wasm runs alternate, round by round, so both sides see the same moments of
// a shared, noisy machine; each side keeps its best run (and its highest memory peak).
const exampleArgs = ['run', '--release', '--quiet', '--features', 'bench', '--example', 'bench', '--'];
const nativeArgs = [...exampleArgs, '--json', '--size-mb', String(sizeMb), '--runs', '1'];
if (only) nativeArgs.push('--op', only);
const runNative = () => JSON.parse(execFileSync('cargo', nativeArgs, { encoding: 'utf8', maxBuffer: 1 << 24 }).trim().split('\n').pop());

const { server, url } = await serve({ dir: 'dist-bench', port: 0, base: '/bench/' });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage();
// Each op's generated input, written once by the native example (generation is
// deterministic, so the native runs see the very same bytes) into the bench site, and
// served by its own server (the CSP allows 'self'; Playwright's request routing would
// carry hundreds of megabytes through the DevTools protocol).
const inputs = join('dist-bench', 'bench-input');
mkdirSync(inputs, { recursive: true });
const inputOf = (op) => join(inputs, op);
const ops = only ? [only] : JSON.parse(execFileSync('cargo', [...exampleArgs, '--list-ops'], { encoding: 'utf8' }));
for (const op of ops) {
  execFileSync('cargo', [...exampleArgs, '--op', op, '--size-mb', String(sizeMb), '--write-input', inputOf(op)]);
}
await page.route('**/papaparse.min.js', (r) => r.fulfill({ path: 'node_modules/papaparse/papaparse.min.js', contentType: 'text/javascript' }));
await page.goto(url);
await page.waitForSelector('html[data-worker=ready]');
// Main-thread tasks over 50 ms while the worker works: the page must stay responsive.
// One worker serves every round, as one serves a user's files one after another.
await page.evaluate(async () => {
  window.__long = [];
  new PerformanceObserver((l) => window.__long.push(...l.getEntries().map((e) => e.duration))).observe({ type: 'longtask', buffered: false });
  const worker = new Worker('./worker_loader.js');
  await new Promise((ok) => worker.addEventListener('message', function h(e) {
    if (e.data?.response?.type === 'ready') { worker.removeEventListener('message', h); ok(); }
  }));
  let job = 1;
  window.__benchRound = async (ops) => {
    const out = [];
    for (const op of ops) {
      // Picked from disk, as a user's file is (a fetched Blob of 4 GB fails in Chromium).
      const file = document.getElementById(`bench-file-${op}`).files[0];
      window.__long = [];
      const figure = await new Promise((ok, fail) => {
        const id = job++;
        worker.onmessage = (e) => {
          const r = e.data?.response;
          if (r?.job !== id) return;
          if (r.type === 'benched') ok(r.figure);
          if (r.type === 'failed') fail(new Error(r.message));
        };
        worker.postMessage({ request: { type: 'bench', job: id, op, runs: 1 }, files: [file] });
      });
      await new Promise((ok) => setTimeout(ok, 100));
      figure.long_tasks = window.__long.length;
      figure.longest_task_ms = Math.max(0, ...window.__long);
      out.push(figure);
    }
    return out;
  };
});

// Each op's input picked once through a file input of its own and sent in every round.
for (const op of ops) {
  await page.evaluate((id) => {
    const input = Object.assign(document.createElement('input'), { type: 'file', id, hidden: true });
    document.body.append(input);
  }, `bench-file-${op}`);
  await page.setInputFiles(`#bench-file-${op}`, inputOf(op));
}

// Keeps, per op, the fastest figure, with the highest memory peak and most long tasks seen.
const keepBest = (best, figures) => {
  for (const f of figures) {
    const b = best.get(f.op);
    if (!b) { best.set(f.op, { ...f }); continue; }
    const peak = Math.max(b.peak_memory_bytes ?? 0, f.peak_memory_bytes ?? 0) || null;
    const longTasks = Math.max(b.long_tasks ?? 0, f.long_tasks ?? 0);
    const longest = Math.max(b.longest_task_ms ?? 0, f.longest_task_ms ?? 0);
    const kept = f.millis < b.millis ? { ...f } : b;
    kept.peak_memory_bytes = peak;
    if (f.long_tasks != null) Object.assign(kept, { long_tasks: longTasks, longest_task_ms: longest });
    best.set(f.op, kept);
  }
};
const nativeBest = new Map();
const wasmBest = new Map();
for (let round = 1; round <= runs; round++) {
  const n = runNative();
  keepBest(nativeBest, n);
  const w = await page.evaluate((ops) => window.__benchRound(ops), n.map((f) => f.op));
  keepBest(wasmBest, w);
  for (const f of n) {
    const g = w.find((x) => x.op === f.op);
    console.log(`round ${round}: ${f.op} native ${f.mb_per_s.toFixed(1)} MB/s, wasm ${g.mb_per_s.toFixed(1)} MB/s (${(g.mb_per_s / f.mb_per_s).toFixed(2)})`);
  }
}
const native = [...nativeBest.values()];
const wasm = [...wasmBest.values()];

// Papa Parse (parse only, header: true) on the same generated CSV, in the same page.
let papa = null;
if (native.some((f) => f.op === 'csv_workbench')) {
  await page.addScriptTag({ url: './papaparse.min.js' });
  papa = await page.evaluate(async (runs) => {
    const text = await (await fetch('./bench-input/csv_workbench')).text();
    const bytes = new TextEncoder().encode(text).length;
    let best = Infinity;
    let rows = 0;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const result = window.Papa.parse(text, { header: true, skipEmptyLines: true });
      best = Math.min(best, performance.now() - t0);
      rows = result.data.length;
    }
    return { bytes, rows, millis: best, mb_per_s: bytes / 1e6 / (best / 1000) };
  }, runs);
}
await browser.close();
server.close();

const mb = (b) => (b == null ? '?' : `${(b / 1e6).toFixed(0)} MB`);
console.log(`\nbioport bench: ~${sizeMb} MB inputs, best of ${runs} rounds, native and wasm runs alternating (shared machine: compare ratios)\n`);
console.log('operation            input     native MB/s   wasm MB/s   wasm/native   wasm records/s   peak native / wasm   main-thread tasks >50ms (longest)');
for (const n of native) {
  const w = wasm.find((f) => f.op === n.op);
  console.log(
    `${n.op.padEnd(20)} ${mb(n.bytes).padStart(7)}   ${n.mb_per_s.toFixed(1).padStart(11)}   ${w.mb_per_s.toFixed(1).padStart(9)}   ${(w.mb_per_s / n.mb_per_s).toFixed(2).padStart(11)}   ${Math.round(w.records_per_s).toString().padStart(14)}   ${`${mb(n.peak_memory_bytes)} / ${mb(w.peak_memory_bytes)}`.padStart(18)}   ${w.long_tasks} (${w.longest_task_ms.toFixed(0)} ms)`,
  );
}
if (papa) {
  const w = wasm.find((f) => f.op === 'csv_workbench');
  console.log(`\nPapa Parse 5.7.1, parse only, header:true, main thread: ${papa.mb_per_s.toFixed(1)} MB/s on ${mb(papa.bytes)} (${papa.rows} rows)`);
  console.log(`bioport csv_workbench in the worker (read + map + validate + write) vs Papa Parse (parse only): ${(w.mb_per_s / papa.mb_per_s).toFixed(2)}x`);
  console.log(`wasm peak memory / file size: ${(w.peak_memory_bytes / w.bytes).toFixed(2)}x (the input stays a Blob outside linear memory)`);
}

// The face image folder check in the worker, in headless Chromium: a generated folder
// (examples/faces_speed.rs --keep) and its CSV picked in the built site (dist/), timed from
// the page's change event to the findings on the page, headers only and with the identical-bytes check;
// with the peak memory (VmHWM) of each Chromium process over each run.
//
//   cargo run --release --features bench --example faces_speed -- --images 50000 --dir /tmp/bioport-faces --keep
//   scripts/build.sh && node scripts/faces-bench.mjs /tmp/bioport-faces [--bytes-first]
//
// --bytes-first runs the identical-bytes check first (each run replaces the folder).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApp, startBrowser, startSite } from '../tests/e2e/helpers.mjs';

const dir = process.argv[2] ?? '/tmp/bioport-faces';
const order = process.argv.includes('--bytes-first') ? [true, false] : [false, true];
const files = readdirSync(dir).map((n) => join(dir, n));

/** The processes this script started (its descendants): pid and parent. */
function descendants() {
  const parent = new Map();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parent.set(pid, stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      // The process ended meanwhile.
    }
  }
  const mine = (pid) => {
    for (let p = pid; p && p !== '0' && p !== '1'; p = parent.get(p)) if (p === String(process.pid)) return true;
    return false;
  };
  return [...parent.keys()].filter((pid) => pid !== String(process.pid) && mine(pid));
}

/** This script's Chromium processes: pid and kind (browser, renderer, gpu-process...). */
function chromiumProcesses() {
  const out = [];
  for (const pid of descendants()) {
    try {
      // Chromium's children rewrite their command line as one string: match, do not split.
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.startsWith('/usr/lib/chromium/chromium')) continue;
      const type = /--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser';
      out.push({ pid, type });
    } catch {
      // The process ended meanwhile.
    }
  }
  return out;
}

/** Resets the peak memory of Chromium's processes (Linux: clear_refs 5). */
function resetPeaks() {
  for (const { pid } of chromiumProcesses()) {
    try { writeFileSync(`/proc/${pid}/clear_refs`, '5'); } catch { /* ended, or not allowed */ }
  }
}

/** The peak memory since the reset, in MB, of each kind of Chromium process (the largest). */
function peaks() {
  const out = {};
  for (const { pid, type } of chromiumProcesses()) {
    try {
      const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      out[type] = Math.max(out[type] ?? 0, Math.round(kb / 1024));
    } catch { /* ended */ }
  }
  return Object.entries(out).map(([t, mb]) => `${t} ${mb} MB`).join(', ');
}

const site = await startSite();
const b = await startBrowser();
try {
  const { page, errors } = await openApp(b.context, site.url);
  await page.getByTestId('file-input').first().setInputFiles(`${dir}.csv`);
  await page.getByTestId('csv-summary').waitFor({ timeout: 120_000 });
  await page.getByTestId('faces-panel').locator('summary').click();
  const compare = page.getByTestId('faces-panel').locator('input[type=checkbox]');
  const summary = () => page.getByTestId('faces-summary').textContent().catch(() => '');
  for (const withBytes of order) {
    await compare.setChecked(withBytes);
    const before = await summary();
    resetPeaks();
    // The page's clock from its change event, when the picked files are in its hands.
    await page.evaluate(() => {
      const input = document.querySelector('[data-testid=faces-files-input]');
      input.addEventListener('change', () => { window.pickedAt = performance.now(); }, { capture: true, once: true });
      // The page's thread blocked longest, from the change event on.
      window.longestTask = 0;
      window.pickedAt = undefined;
      window.taskObserver?.disconnect();
      window.taskObserver = new PerformanceObserver((list) => {
        // How long a task held the page's thread after the change event (the task that
        // dispatches it starts earlier, while Chromium builds the picked file list).
        for (const e of list.getEntries()) {
          const from = Math.max(e.startTime, window.pickedAt ?? Infinity);
          window.longestTask = Math.max(window.longestTask, e.startTime + e.duration - from);
        }
      });
      window.taskObserver.observe({ type: 'longtask' });
    });
    const t0 = performance.now();
    await page.getByTestId('faces-files-input').setInputFiles(files, { timeout: 600_000 });
    const picked = performance.now();
    const onPage = await page.waitForFunction(
      ([old, bytes]) => {
        const t = document.querySelector('[data-testid=faces-summary]')?.textContent ?? '';
        const done = t !== old && t.includes('images:') && bytes === !t.includes('not looked for');
        return done && performance.now() - window.pickedAt;
      },
      [before, withBytes],
      { timeout: 600_000, polling: 50 },
    );
    const ms = await onPage.jsonValue();
    const longest = await page.evaluate(() => window.longestTask);
    console.log(`${withBytes ? 'with identical bytes' : 'headers only'}: ${(ms / 1000).toFixed(2)} s `
      + `on the page from its change event (Playwright's setInputFiles took ${((picked - t0) / 1000).toFixed(2)} s `
      + `to hand ${files.length} files to it); the page's thread blocked at most ${Math.round(longest)} ms at a time after the change event; `
      + `peak memory: ${peaks()}; ${await summary()}`);
  }
  if (errors.length) console.log('page errors:', errors);
} finally {
  await b.browser.close();
  site.server.close();
}

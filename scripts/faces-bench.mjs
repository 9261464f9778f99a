// The face image folder check in the worker, in headless Chromium: a generated folder
// (examples/faces_speed.rs --keep) and its CSV picked in the built site (dist/), timed from
// the pick to the findings on the page, headers only and with the identical-bytes check.
//
//   cargo run --release --features bench --example faces_speed -- --images 50000 --dir /tmp/bioport-faces --keep
//   scripts/build.sh && node scripts/faces-bench.mjs /tmp/bioport-faces
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openApp, startBrowser, startSite } from '../tests/e2e/helpers.mjs';

const dir = process.argv[2] ?? '/tmp/bioport-faces';
const files = readdirSync(dir).map((n) => join(dir, n));
const site = await startSite();
const b = await startBrowser();
try {
  const { page, errors } = await openApp(b.context, site.url);
  await page.getByTestId('file-input').first().setInputFiles(`${dir}.csv`);
  await page.getByTestId('csv-summary').waitFor({ timeout: 120_000 });
  await page.getByTestId('faces-panel').locator('summary').click();
  const compare = page.getByTestId('faces-panel').locator('input[type=checkbox]');
  const summary = () => page.getByTestId('faces-summary').textContent().catch(() => '');
  for (const withBytes of [false, true]) {
    await compare.setChecked(withBytes);
    const before = await summary();
    const t0 = performance.now();
    await page.getByTestId('faces-files-input').setInputFiles(files);
    const picked = performance.now();
    await page.waitForFunction(
      ([old, bytes]) => {
        const t = document.querySelector('[data-testid=faces-summary]')?.textContent ?? '';
        return t !== old && t.includes('images:') && bytes === !t.includes('not looked for');
      },
      [before, withBytes],
      { timeout: 600_000, polling: 50 },
    );
    const t1 = performance.now();
    console.log(`${withBytes ? 'with identical bytes' : 'headers only'}: ${((t1 - t0) / 1000).toFixed(2)} s `
      + `(${((picked - t0) / 1000).toFixed(2)} s of it handing ${files.length} files to the page); ${await summary()}`);
  }
  if (errors.length) console.log('page errors:', errors);
} finally {
  await b.browser.close();
  site.server.close();
}

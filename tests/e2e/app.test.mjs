// End-to-end: the release build in Debian's Chromium, used as a person would.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, fixture, makeTgz, openApp, pictureStats, scratchDir, useSiteAndBrowser } from './helpers.mjs';

let site;
let b;
useSiteAndBrowser((s, browser) => { [site, b] = [s, browser]; });

/** Requests made by the browser since `t`, and the ones the server received since `n`. */
function since(t, n) {
  return {
    browser: b.requests.filter((r) => r.at > t).map((r) => r.url),
    server: site.received.slice(n),
  };
}

function assertAllSameOrigin() {
  const origin = new URL(site.url).origin;
  const foreign = b.requests.filter((r) => !r.url.startsWith(origin) && !r.url.startsWith('blob:') && !r.url.startsWith('data:'));
  assert.deepEqual(foreign, [], 'no request to any other origin, ever');
}

describe('the site', () => {
  test('loads from a sub-path with its CSP, shows the start screen, and is not blank', async () => {
    const { page, errors, warnings } = await openApp(b.context, site.url);
    assert.ok(site.url.includes(BASE));
    await assert.doesNotReject(page.getByRole('heading', { name: /Convert access-control user files/ }).waitFor());
    for (const id of ['open-biostar-csv', 'open-data-file', 'open-time-clock']) {
      assert.equal(await page.getByTestId(id).count(), 1, id);
    }
    const csp = await page.locator('meta[http-equiv=Content-Security-Policy]').getAttribute('content');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /connect-src 'self'/);
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
    assert.doesNotMatch(csp, /https?:|\*/, 'no remote origin in the policy');
    // The worker's read-ahead helper is loaded while the page loads, never later.
    assert.ok(site.received.some((u) => u.endsWith('/read_ahead_worker.js')), JSON.stringify(site.received));
    assert.equal(await page.locator('html').getAttribute('data-read-ahead'), 'on', 'the worker reads files ahead');
    const png = await page.screenshot({ fullPage: true });
    const stats = await pictureStats(b.context, png);
    assert.ok(stats.colours > 20, `a real page has many colours, got ${stats.colours}`);
    assert.ok(stats.differ > stats.pixels * 0.02, `more than 2% of pixels are not background (${stats.differ}/${stats.pixels})`);
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/start.png', png);
    assert.deepEqual(errors, []);
    // The page and its workers start without a warning (Trunk's worker shim gave two),
    // but Chromium's note that it ignores the integrity digest Trunk puts on the wasm
    // module's preload link.
    const preload = /^The `integrity` attribute is currently ignored for preload destinations/;
    assert.deepEqual(warnings.filter((w) => !preload.test(w)), []);
    assert.ok(site.received.some((u) => u.endsWith('/worker_loader.js')), 'the worker starts from its loader');
    assertAllSameOrigin();
    await page.close();
  });

  test('the file picker is reachable and usable from the keyboard', async () => {
    const { page } = await openApp(b.context, site.url);
    await page.bringToFront();
    let focused = '';
    for (let i = 0; i < 10 && focused !== 'start-files'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.id ?? '');
    }
    assert.equal(focused, 'start-files', 'Tab reaches the file picker');
    const label = await page.locator('label[for=start-files]').innerText();
    assert.equal(label, 'Choose files');
    // Playwright starts intercepting file choosers asynchronously once a listener exists:
    // let that settle (a round trip to the page) before the key press opens one.
    const chooserEvent = page.waitForEvent('filechooser', { timeout: 10_000 });
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => ok())));
    await page.keyboard.press('Enter');
    const chooser = await chooserEvent;
    await chooser.setFiles({ name: 'user.dat', mimeType: 'application/octet-stream', buffer: fixture('user_dat_72byte_record_from_zk-protocol_doc.bin') });
    await page.getByTestId('workflow-time-clock').waitFor();
    await page.close();
  });

  test('follows the system theme and stays readable at 200% zoom', async () => {
    const light = await b.browser.newContext({ colorScheme: 'light', viewport: { width: 640, height: 480 } });
    const dark = await b.browser.newContext({ colorScheme: 'dark', viewport: { width: 640, height: 480 } });
    const bg = async (ctx) => {
      const page = await ctx.newPage();
      await page.goto(site.url);
      await page.waitForSelector('[data-testid=start]');
      const colour = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      const unlabelled = await page.evaluate(() => [...document.querySelectorAll('button, input')]
        .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.textContent.trim())).length);
      await page.close();
      return { colour, overflow, unlabelled };
    };
    const l = await bg(light);
    const d = await bg(dark);
    assert.notEqual(l.colour, d.colour, 'dark scheme changes the background');
    assert.equal(l.overflow, 0, 'no sideways scrolling at 640px wide (1280px at 200%)');
    assert.equal(l.unlabelled, 0, 'every control has a label');
    await light.close();
    await dark.close();
  });
});

describe('opening files', () => {
  test('a clock USB folder opens the time clock workflow, and nothing goes out', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const t0 = Date.now();
    const n0 = site.received.length;
    await page.getByTestId('file-input').first().setInputFiles([
      { name: 'user.dat', mimeType: 'application/octet-stream', buffer: fixture('user_dat_72byte_record_from_zk-protocol_doc.bin') },
      { name: '1_attlog.dat', mimeType: 'application/octet-stream', buffer: fixture('attlog_B_mefistoduan_CHECKHELPER_CRLF_face15.dat') },
      { name: '2_attlog.dat', mimeType: 'application/octet-stream', buffer: fixture('attlog_E_CHECKHELPER_nul_hole_excerpt.bin') },
    ]);
    await page.getByTestId('workflow-time-clock').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=file-card]').length === 3);
    const kinds = await page.getByTestId('file-kind').allInnerTexts();
    assert.equal(kinds.filter((k) => k.startsWith('Time clock user.dat (72-byte records)')).length, 1, kinds.join('|'));
    assert.equal(kinds.filter((k) => k.startsWith('Time clock attendance log')).length, 2, kinds.join('|'));
    const damaged = page.getByTestId('file-card').filter({ hasText: '2_attlog.dat' });
    await assert.doesNotReject(damaged.getByText('Line 5 (byte 120): 80 NUL bytes', { exact: false }).waitFor());
    const punches = await page.getByTestId('file-card').filter({ hasText: '1_attlog.dat' }).locator('.count').filter({ hasText: 'punches' }).locator('dd').innerText();
    assert.equal(punches, '20');
    const s = since(t0, n0);
    assert.deepEqual(s.server, [], 'the server received nothing after the page loaded');
    assert.deepEqual(s.browser, [], 'the browser made no request after the page loaded');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a BioStar CSV opens the CSV workflow', async () => {
    const { page } = await openApp(b.context, site.url);
    const csv = 'user_id,name,department,csn\r\n1,김철수,인사,123\r\n2,Ann Lee,IT,456\r\n';
    await page.getByTestId('file-input').first().setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('workflow-biostar-csv').waitFor();
    const card = page.getByTestId('file-card');
    assert.match(await card.getByTestId('file-kind').innerText(), /^BioStar user CSV · 71 bytes · UTF-8 · comma \(,\) · header on line 1$/);
    await page.close();
  });

  test('a data file is verified and downloads under the device name with unchanged bytes', async () => {
    const { page } = await openApp(b.context, site.url);
    const t0 = Date.now();
    const n0 = site.received.length;
    const tgz = makeTgz([['users.db', Buffer.from('not really a database')], ['photo/1.jpg', Buffer.alloc(3000, 7)]]);
    await page.getByTestId('file-input').first().setInputFiles({ name: 'BioStarX_20250102_030405.tgz', mimeType: 'application/gzip', buffer: tgz });
    await page.getByTestId('workflow-data-file').waitFor();
    const entries = await page.locator('.count').filter({ hasText: /^entries/ }).locator('dd').innerText();
    assert.equal(entries, '2');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-renamed').click()]);
    assert.equal(download.suggestedFilename(), 'BioStar2_20250102_030405.tgz');
    const saved = readFileSync(await download.path());
    assert.ok(saved.equals(tgz), 'the downloaded bytes are the original bytes');
    await page.getByTestId('notice').getByText('Downloaded BioStar2_20250102_030405.tgz').waitFor();
    const s = since(t0, n0);
    assert.deepEqual(s.server, [], 'the server received nothing');
    assert.deepEqual(s.browser.filter((u) => !u.startsWith('blob:')), [], 'only the page-local blob: URL was used');
    await page.close();
  });

  test('unrecognised and empty files get a clear message saying what was expected', async () => {
    const { page } = await openApp(b.context, site.url);
    const noise = Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 2654435761 >>> 13) & 255));
    await page.getByTestId('file-input').first().setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: noise });
    const notice = page.getByTestId('notice');
    await notice.getByText('photo.jpg is not a file bioport reads').waitFor();
    const text = await notice.innerText();
    assert.match(text, /user\.dat/);
    assert.match(text, /BioStarX_YYYYMMDD_HHMMSS\.tgz/);
    assert.equal(await page.getByTestId('start').count(), 1, 'the start screen stays');
    await page.getByTestId('file-input').first().setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.alloc(0) });
    await notice.getByText('users.csv is empty (0 bytes)', { exact: false }).waitFor();
    assert.doesNotMatch(await notice.innerText(), /photo\.jpg/, 'the earlier file was reported once and put away');
    // In a workflow, an unreadable file is listed beside the readable ones.
    await page.getByTestId('file-input').first().setInputFiles([
      { name: 'user.dat', mimeType: 'application/octet-stream', buffer: fixture('user_dat_72byte_record_from_zk-protocol_doc.bin') },
      { name: 'notes.bin', mimeType: 'application/octet-stream', buffer: noise },
    ]);
    await page.getByTestId('unknown-files').getByText('notes.bin is not a file bioport reads', { exact: false }).waitFor();
    await page.close();
  });

  test('a long read shows progress, can be cancelled, and the page carries on', async () => {
    const big = bigLog();
    const { page } = await openApp(b.context, site.url);
    const origin = new URL(site.url).origin;
    await page.getByTestId('file-input').first().setInputFiles(big);
    const bar = page.getByTestId('progress');
    await bar.waitFor();
    await page.waitForFunction(() => Number(document.querySelector('#job-progress')?.value) > 0);
    const t0 = Date.now();
    await page.getByTestId('cancel').click();
    await page.getByTestId('notice').getByText('Cancelled.').waitFor();
    assert.equal(await bar.count(), 0, 'the progress bar is gone');
    await page.waitForSelector('html[data-worker=ready]');
    assert.equal(await page.locator('html').getAttribute('data-read-ahead'), 'on', 'the fresh worker reads ahead too');
    // A fresh worker loads its own code from the page's origin; nothing else is requested.
    const after = b.requests.filter((r) => r.at >= t0);
    assert.ok(after.every((r) => r.method === 'GET' && r.url.startsWith(origin + BASE) && /worker/.test(r.url)),
      JSON.stringify(after));
    assert.match(await page.getByTestId('notice').innerText(), /Not read: 1_attlog\.dat/);
    // The page carries on with the next file, and does not read the cancelled one again.
    await page.getByTestId('file-input').first().setInputFiles({ name: 'user.dat', mimeType: 'application/octet-stream', buffer: fixture('user_dat_28byte_record_SYNTHETIC.bin') });
    await page.getByTestId('workflow-time-clock').waitFor();
    await page.getByTestId('file-card').filter({ hasText: 'user.dat' }).waitFor();
    await page.waitForFunction(() => !document.querySelector('[data-testid=progress]'));
    assert.equal(await page.getByTestId('file-card').filter({ hasText: '1_attlog.dat' }).count(), 0, 'the cancelled log is put away');
    // The same file from disk twice (same path, size and time) is said, not opened twice.
    const copy = join(scratchDir('twice'), 'user.dat');
    writeFileSync(copy, fixture('user_dat_72byte_record_from_zk-protocol_doc.bin'));
    const input = page.getByTestId('file-input').first();
    await input.setInputFiles(copy);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=file-card]').length === 2);
    await input.setInputFiles(copy);
    await page.getByTestId('notice').getByText('Open already, so not added again: user.dat.').waitFor();
    assert.equal(await page.getByTestId('file-card').count(), 2, 'not a third card');
    await page.close();
  });

  test('a cancel of another file\'s read leaves the open workbook working, its edits kept', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    await page.getByTestId('file-input').first().setInputFiles({ name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from('user_id,name\r\nabc,Kim\r\n2,Lee\r\n') });
    await page.getByTestId('csv-summary').waitFor();
    await page.locator('.grid-row[data-line="2"] [data-col="0"]').click();
    await page.getByTestId('cell-editor').fill('1');
    await page.getByTestId('cell-editor').press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid=total-valid] dd')?.textContent === '2');
    // A long read of another file, cancelled: the worker that held the workbook is stopped.
    await page.getByTestId('file-input').first().setInputFiles(bigLog());
    await page.waitForFunction(() => Number(document.querySelector('#job-progress')?.value) > 0);
    await page.getByTestId('cancel').click();
    await page.getByTestId('notice').getByText('Cancelled.').waitFor();
    await page.getByRole('button', { name: 'BioStar user CSV' }).first().click().catch(() => {});
    await page.getByTestId('csv-summary').waitFor();
    await page.waitForFunction(() => document.querySelector('.grid-row[data-line="2"] [data-col="0"]')?.textContent === '1');
    // The fresh worker holds the same workbook: a download has the edit.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-import').click()]);
    assert.equal(readFileSync(await download.path()).toString(), 'user_id,name\r\n1,Kim\r\n2,Lee\r\n');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('cancelled while offline, the page carries on with the worker kept ready; a second cancel says a fresh one needs the connection', async () => {
    const big = bigLog();
    const { page, errors } = await openApp(b.context, site.url);
    await page.waitForSelector('html[data-standby=ready]');
    await b.context.setOffline(true);
    try {
      const cancelRead = async () => {
        await page.getByTestId('file-input').first().setInputFiles(big);
        await page.waitForFunction(() => Number(document.querySelector('#job-progress')?.value) > 0);
        await page.getByTestId('cancel').click();
      };
      await cancelRead();
      await page.getByTestId('notice').getByText('Cancelled.').waitFor();
      await page.waitForSelector('html[data-worker=ready]');
      // Offline, the page still reads the next file with the worker kept ready.
      await page.getByTestId('file-input').first().setInputFiles({ name: 'user.dat', mimeType: 'application/octet-stream', buffer: fixture('user_dat_28byte_record_SYNTHETIC.bin') });
      await page.getByTestId('file-card').filter({ hasText: 'user.dat' }).waitFor();
      // No standby could load offline: the next cancel needs the connection, and says so.
      await page.waitForSelector('html[data-standby=none]');
      await page.getByTestId('start-over').click().catch(() => {});
      await cancelRead();
      await page.getByTestId('notice').getByText('This browser is offline, and a fresh worker', { exact: false }).waitFor();
      assert.equal(await page.getByTestId('progress').count(), 0, 'no progress bar left waiting');
      // A file added then does not wait for a worker that never loaded: it is said again.
      await page.getByTestId('file-input').first().setInputFiles({ name: 'more.csv', mimeType: 'text/csv', buffer: Buffer.from('user_id,name\r\n1,Kim\r\n') });
      await page.getByTestId('notice').getByText('This browser is offline, and a fresh worker', { exact: false }).waitFor();
      await page.waitForFunction(() => !document.querySelector('[data-testid=progress]'));
      assert.deepEqual(errors.filter((e) => !/worker|Failed to fetch|net::/i.test(e)), []);
    } finally {
      await b.context.setOffline(false);
      await page.close();
    }
  });
});

/** A 320 MB attendance log in a scratch folder, written once: a read long enough to cancel. */
let bigLogPath;
function bigLog() {
  if (bigLogPath) return bigLogPath;
  bigLogPath = join(scratchDir('big-log'), '1_attlog.dat');
  const line = Buffer.from('      123\t2024-01-02 08:00:01\t1\t0\t1\t0\r\n');
  const block = Buffer.alloc(line.length * 100_000);
  for (let i = 0; i < 100_000; i++) line.copy(block, i * line.length);
  const fd = openSync(bigLogPath, 'w');
  for (let i = 0; i < 80; i++) writeSync(fd, block);
  closeSync(fd);
  return bigLogPath;
}

// End-to-end: the BioStar data file screen in Debian's Chromium: verify and list, SHA-256,
// preview, rename, rewrite the paths (checked with GNU tar), a damaged archive, the device
// check, and the comparison of two data files.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { makeTgz, openApp, scratchDir, startBrowser, tarHeader, useSiteAndBrowser } from './helpers.mjs';

let site;
let b;
useSiteAndBrowser((s, browser) => { [site, b] = [s, browser]; });

/** A valid 1x1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const RECORDS = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 2654435761 >>> 11) & 255));

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

function assertNothingLeft(errors) {
  const origin = new URL(site.url).origin;
  const foreign = b.requests.filter((r) => !r.url.startsWith(origin) && !r.url.startsWith('blob:') && !r.url.startsWith('data:'));
  assert.deepEqual(foreign, [], 'no request left 127.0.0.1');
  assert.deepEqual(errors, [], 'no page errors');
}

async function drop(page, files) {
  await page.getByTestId('file-input').first().setInputFiles(files.map(([name, buffer]) => ({ name, mimeType: 'application/gzip', buffer })));
}

async function downloadOf(page, testId) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
}

/** Every regular file under `dir`, by path relative to it, with its bytes. */
function tree(dir) {
  const out = {};
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p).toString('hex');
    }
  };
  walk(dir);
  return out;
}

/**
 * Checks with GNU tar and gzip that `written` (the rewrite of `original`) is a valid
 * archive holding the same `count` files with the same bytes, only `BioStarX_` renamed
 * `BioStar2_`; the listing `tar -tzv` printed of it.
 */
function assertRewritten(original, written, count) {
  const work = scratchDir('archive');
  writeFileSync(join(work, 'in.tgz'), original);
  writeFileSync(join(work, 'out.tgz'), written);
  const listed = execFileSync('tar', ['-tzvf', join(work, 'out.tgz')], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.doesNotMatch(listed, /BioStarX_/);
  execFileSync('gzip', ['-t', join(work, 'out.tgz')]);
  for (const name of ['in', 'out']) {
    mkdirSync(join(work, name));
    execFileSync('tar', ['-xzf', join(work, `${name}.tgz`), '-C', join(work, name)]);
  }
  const renamed = Object.entries(tree(join(work, 'in'))).map(([p, h]) => [p.replace(/BioStarX_/g, 'BioStar2_'), h]);
  assert.deepEqual(tree(join(work, 'out')), Object.fromEntries(renamed), 'the same contents, only the renamed paths differ');
  assert.equal(renamed.length, count);
  return listed;
}

const entry = (page, path) => page.locator(`[data-testid=entry][data-path="${path}"]`);

const REWRITE_DIR = 'BioStarX_20250102_030405';
const REWRITE_TGZ = makeTgz([[`${REWRITE_DIR}/user.dat`, RECORDS], [`${REWRITE_DIR}/faces/1.png`, PNG], ['config/site.txt', Buffer.from('site 1\n')]]);
/** The download of the rewrite written through OPFS. */
let rewrittenWithOpfs;

/** Opens REWRITE_TGZ, checks the names the rewrite changes, and downloads the rewrite. */
async function rewritePaths(page) {
  await drop(page, [[`${REWRITE_DIR}.tgz`, REWRITE_TGZ]]);
  await page.getByTestId('listing').waitFor();
  assert.match(await page.getByTestId('rewrite').innerText(), /2 entries carry the old name in their path/);
  assert.match(await page.getByTestId('rename-panel').innerText(), /Suprema's instructions rename the file only, so download it under the new name unchanged first/);
  await page.getByTestId('show-plan').click();
  const plan = page.getByTestId('plan');
  await plan.waitFor();
  assert.deepEqual(await plan.locator('li').allInnerTexts(), [
    `${REWRITE_DIR}/user.dat → BioStar2_20250102_030405/user.dat`,
    `${REWRITE_DIR}/faces/1.png → BioStar2_20250102_030405/faces/1.png`,
  ]);
  const out = await downloadOf(page, 'rewrite-paths');
  assert.equal(out.name, 'BioStar2_20250102_030405.tgz');
  await page.getByTestId('rewritten').waitFor();
  return out;
}

describe('the data file screen', () => {
  test('lists, hashes and previews entries, checks the device, and renames with unchanged bytes', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const files = [['readme.txt', Buffer.from('BioStar export\n')], ['faces/1.png', PNG], ['users.bin', RECORDS]];
    const tgz = makeTgz(files);
    await drop(page, [['BioStarX_20250102_030405.tgz', tgz]]);
    await page.getByTestId('listing').waitFor();
    assert.match(await page.getByTestId('export-time').innerText(), /Exported 2025-01-02 03:04:05/);
    assert.match(await page.getByTestId('archive-status').innerText(), /The archive is whole/);
    assert.equal(await page.locator('[data-total=entries] dd').innerText(), '3');
    assert.equal(await page.locator('[data-total=photos] dd').innerText(), '1');
    for (const [path, bytes] of files) {
      assert.equal(await entry(page, path).getByTestId('entry-size').innerText(), String(bytes.length));
      assert.equal(await entry(page, path).getByTestId('entry-sha256').count(), 0, 'not hashed yet: no SHA-256 column');
    }
    await page.getByTestId('compute-sha256').click();
    await page.getByTestId('hashed').waitFor();
    for (const [path, bytes] of files) {
      await entry(page, path).getByTestId('entry-sha256').getByText(sha256(bytes)).waitFor();
    }

    // A photo shows as a thumbnail from a blob: URL; other entries as hex.
    await entry(page, 'faces/1.png').getByTestId('entry-preview').click();
    const img = page.getByTestId('thumbnail');
    await img.waitFor();
    assert.match(await img.getAttribute('src'), /^blob:/);
    await page.waitForFunction(() => document.querySelector('[data-testid=thumbnail]')?.naturalWidth === 1);
    await entry(page, 'readme.txt').getByTestId('entry-preview').click();
    await page.getByTestId('hex-view').waitFor();
    assert.match(await page.getByTestId('hex-view').innerText(), /^00000000 {2}42 69 6f 53 74 61 72 20 65 78 70 6f 72 74 0a {2}/);

    // The device check: before the firmware is typed, a prompt and no error about it.
    await page.getByTestId('device-model').selectOption('BioStation 2');
    const notes = page.getByTestId('device-notes');
    const prompt = notes.locator('li').first();
    await prompt.getByText("Type the device's firmware version (like 1.9.0", { exact: false }).waitFor();
    assert.equal(await prompt.getAttribute('class'), 'reminder');
    assert.doesNotMatch(await notes.innerText(), /not a firmware version/);
    await page.getByTestId('device-firmware').fill('1.8.0');
    await notes.getByText('imports data files from 1.9.0 on: upgrade its firmware first', { exact: false }).waitFor();
    assert.match(await notes.innerText(), /exported for the BioStation 2/);
    assert.match(await notes.innerText(), /Suprema templates does not import into a device set to ISO/);
    assert.match(await notes.innerText(), /A device only sees the file as BioStar2_20250102_030405\.tgz/);

    // No entry path carries the name: the file itself, renamed.
    assert.match(await page.getByTestId('rename-panel').innerText(), /No entry path carries the old name/);
    assert.equal(await page.getByTestId('rewrite').count(), 0);
    const plain = await downloadOf(page, 'download-renamed');
    assert.equal(plain.name, 'BioStar2_20250102_030405.tgz');
    assert.ok(plain.bytes.equals(tgz), 'the renamed download is the original bytes');
    assertNothingLeft(errors);
    await page.close();
  });

  test('rewrites entry paths that carry BioStarX_ into an archive GNU tar reads', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const out = await rewritePaths(page);
    assert.match(await page.getByTestId('rewritten').innerText(), /Wrote 3 entries with 2 names rewritten\. It was written to this browser's private file storage \(OPFS\)/);
    rewrittenWithOpfs = out.bytes;

    const listed = assertRewritten(REWRITE_TGZ, out.bytes, 3);
    assert.match(listed, /-rw-r--r-- .* 5000 .* BioStar2_20250102_030405\/user\.dat/);
    assert.match(listed, /BioStar2_20250102_030405\/faces\/1\.png/);
    // The copy in the browser's private storage goes when the user starts over, and at the
    // next load: no staff data stays behind.
    const stored = () => page.evaluate(async () => {
      const names = [];
      for await (const name of (await navigator.storage.getDirectory()).keys()) names.push(name);
      return names;
    });
    const emptied = () => page.waitForFunction(async () => {
      for await (const _ of (await navigator.storage.getDirectory()).keys()) return false;
      return true;
    });
    assert.deepEqual(await stored(), ['bioport-rewritten.tgz']);
    await page.getByTestId('start-over').click();
    await emptied();
    await rewritePaths(page);
    assert.deepEqual(await stored(), ['bioport-rewritten.tgz']);
    await page.reload();
    await page.waitForSelector('html[data-worker=ready]');
    await emptied();
    assertNothingLeft(errors);
    await page.close();
  });

  test('a damaged archive shows its finding with the byte and warns before a rename', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const dir = 'BioStarX_20250102_030405/';
    const whole = makeTgz([[`${dir}users.bin`, RECORDS], [`${dir}more.bin`, RECORDS.subarray(0, 3000)]]);
    const cut = whole.subarray(0, whole.length - 20);
    await drop(page, [['BioStarX_20250102_030405.tgz', cut]]);
    await page.getByTestId('listing').waitFor();
    assert.match(await page.getByTestId('archive-status').innerText(), /The archive is damaged/);
    const finding = page.getByTestId('findings').locator('li.error').first();
    // The byte where the file ends inside the gzip stream, said once, and kept as the
    // finding's place.
    assert.match(await finding.innerText(), new RegExp(`^The file ends at byte ${cut.length}, inside the compressed data: it is cut off`));
    assert.equal(await finding.getAttribute('data-byte'), String(cut.length));
    await page.getByTestId('damaged-warning').waitFor();
    assert.equal(await page.getByTestId('download-renamed').isDisabled(), true, 'no rename before the warning is read');
    // Its paths carry the old name, but a damaged archive is only renamed, never written again.
    assert.match(await page.getByTestId('rename-panel').innerText(), /read before the damage carr(y|ies) the old name, and the paths past it could not be read\. Renaming changes only the file's name: its bytes, and so its entry paths, stay as they are/);
    assert.doesNotMatch(await page.getByTestId('rename-panel').innerText(), /rewrite the paths only if/);
    await page.getByTestId('rename-anyway').check();
    const out = await downloadOf(page, 'download-renamed');
    assert.ok(out.bytes.equals(cut));
    assertNothingLeft(errors);
    await page.close();
  });

  test('an archive damaged at its first header says its entry paths are unknown, not that none carries the name', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const header = tarHeader('BioStarX_20250104_000000/users.bin', RECORDS.length);
    header.write('0000000\0', 148);
    const tar = Buffer.concat([header, RECORDS, Buffer.alloc((512 - (RECORDS.length % 512)) % 512), Buffer.alloc(1024)]);
    await drop(page, [['BioStarX_20250104_000000.tgz', gzipSync(tar)]]);
    await page.getByTestId('listing').waitFor();
    const panel = page.getByTestId('rename-panel');
    await panel.getByText(/No entry path could be read/).waitFor();
    const said = await panel.innerText();
    assert.match(said, /No entry path could be read \(the archive is damaged before its first entry\), so whether they carry the old name is unknown\. Renaming changes only the file's name/);
    assert.doesNotMatch(said, /No entry path carries the old name/);
    assertNothingLeft(errors);
    await page.close();
  });

  test('a cut-off entry is named in its finding and shown as cut off', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const tar = Buffer.concat([tarHeader('BioStarX_20250113_000000/big', RECORDS.length), RECORDS.subarray(0, 300)]);
    await drop(page, [['BioStarX_20250113_000000.tgz', gzipSync(tar)]]);
    await page.getByTestId('listing').waitFor();
    assert.match(await page.getByTestId('findings').innerText(), /the entry BioStarX_20250113_000000\/big, whose header is at byte 0, says it holds 5000 bytes, but the archive ends first/);
    assert.equal(await page.getByTestId('cut-entry').innerText(), 'Cut off: BioStarX_20250113_000000/big, 300 of the 5,000 bytes its header says were read before the archive ends. It is not in the list below or the totals above.');
    assertNothingLeft(errors);
    await page.close();
  });

  test('a photo the browser cannot decode says it has no preview instead of a broken image', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const bad = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), RECORDS.subarray(0, 200)]);
    await drop(page, [['BioStarX_20250102_030405.tgz', makeTgz([['faces/bad.jpg', bad]])]]);
    await page.getByTestId('listing').waitFor();
    await entry(page, 'faces/bad.jpg').getByTestId('entry-preview').click();
    await page.getByTestId('thumbnail-none').waitFor();
    assert.equal(await page.getByTestId('thumbnail-none').innerText(), 'Not an image the browser can show: no preview.');
    assert.equal(await page.getByTestId('thumbnail').count(), 0);
    assertNothingLeft(errors);
    await page.close();
  });

  test('compares two data files by path and hash', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const first = makeTgz([['same.txt', Buffer.from('same\n')], ['gone.bin', RECORDS], ['edit.txt', Buffer.from('old\n')]]);
    const second = makeTgz([['same.txt', Buffer.from('same\n')], ['edit.txt', Buffer.from('newer\n')], ['new.png', PNG]]);
    // The newer comes first; the two are picked at once, the older first, as the page says.
    await drop(page, [['BioStarX_20250102_000000.tgz', second], ['BioStarX_20250101_000000.tgz', first]]);
    await page.getByTestId('listing').waitFor();
    assert.match(await page.getByTestId('compare-order').innerText(), /whatever order they came in: the older first, as the one before/);
    const picked = (id) => page.getByTestId(id).evaluate((s) => s.selectedOptions[0].textContent);
    assert.equal(await picked('compare-first'), 'BioStarX_20250101_000000.tgz');
    assert.equal(await picked('compare-second'), 'BioStarX_20250102_000000.tgz');
    await page.getByTestId('compare').click();
    await page.getByTestId('compare-counts').waitFor();
    const count = async (k) => page.locator(`[data-testid=compare-counts] [data-total=${k}] dd`).innerText();
    assert.deepEqual([await count('added'), await count('removed'), await count('changed'), await count('same')], ['1', '1', '1', '1']);
    assert.equal(await page.getByTestId('compare-added').innerText(), `new.png (${PNG.length} bytes, ${sha256(PNG)})`);
    assert.equal(await page.getByTestId('compare-removed').innerText(), `gone.bin (5000 bytes, ${sha256(RECORDS)})`);
    assert.match(await page.getByTestId('compare-changed').innerText(), /^edit\.txt: 4 bytes → 6 bytes/);
    assert.match(await page.getByTestId('compare-verdict').innerText(), /differ/);
    // Against a copy of the second cut short, the verdict says the comparison is incomplete.
    await drop(page, [['BioStarX_20250103_000000.tgz', second.subarray(0, second.length - 20)]]);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=compare-second] option')].some((o) => o.textContent === 'BioStarX_20250103_000000.tgz'));
    await page.getByTestId('compare-second').selectOption({ label: 'BioStarX_20250103_000000.tgz' });
    await page.getByTestId('compare').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=compare-verdict]')?.textContent.startsWith('The comparison is incomplete'));
    assert.equal(await page.getByTestId('compare-verdict').getAttribute('class'), 'error');
    assert.match(await page.getByTestId('compare-verdict').innerText(), /^The comparison is incomplete: BioStarX_20250103_000000\.tgz is damaged or not a data file/);
    assertNothingLeft(errors);
    await page.close();
  });

  test('a file damaged past its last entry or packed not as BioStar writes it is said so in the listing, the rename and the comparison', async () => {
    let { page, errors } = await openApp(b.context, site.url);
    const whole = makeTgz([['BioStarX_20250102_030405/users.bin', RECORDS]]);
    const crc = Buffer.from(whole);
    crc[crc.length - 8] ^= 1;
    await drop(page, [['BioStarX_20250102_030405.tgz', crc]]);
    await page.getByTestId('listing').waitFor();
    assert.match(await page.getByTestId('archive-status').innerText(), /^The archive is damaged past its last entry \(see the finding below\): every entry was read, none is missing/);
    assert.match(await page.getByTestId('listing').innerText(), new RegExp(`${crc.length.toLocaleString('en-US')} bytes as stored`));
    await page.close();
    // Bytes after the gzip data: the rename warns and waits, and writing it again drops them.
    ({ page } = await openApp(b.context, site.url));
    const trailing = Buffer.concat([whole, Buffer.from('junk')]);
    await drop(page, [['BioStarX_20250103_030405.tgz', trailing]]);
    await page.getByTestId('listing').waitFor();
    assert.match(await page.getByTestId('damaged-warning').innerText(), /not packed as BioStar writes it/);
    assert.equal(await page.getByTestId('download-renamed').isDisabled(), true, 'no rename before the warning is read');
    assert.equal(await page.getByTestId('rewrite-paths').innerText(), 'Rewrite paths and download');
    const out = await downloadOf(page, 'rewrite-paths');
    assert.ok(gunzipSync(out.bytes).includes(Buffer.from('BioStar2_20250102_030405/users.bin')));
    assert.ok(!out.bytes.subarray(-4).equals(Buffer.from('junk')), 'the bytes after the data are dropped');
    // Compared with the damaged file: the same entries, and the flaw named, each finding by its file.
    await drop(page, [['BioStarX_20250102_030405.tgz', crc]]);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=compare-second] option')].some((o) => o.textContent === 'BioStarX_20250102_030405.tgz'));
    assert.match(await page.getByTestId('compare-panel').innerText(), /Pick the two data files to compare: entries are matched/);
    await page.getByTestId('compare-first').selectOption({ label: 'BioStarX_20250102_030405.tgz' });
    await page.getByTestId('compare-second').selectOption({ label: 'BioStarX_20250103_030405.tgz' });
    await page.getByTestId('compare').click();
    await page.getByTestId('compare-verdict').waitFor();
    const verdict = await page.getByTestId('compare-verdict').innerText();
    assert.match(verdict, /BioStarX_20250102_030405\.tgz is damaged past the last entry/);
    assert.match(verdict, /BioStarX_20250103_030405\.tgz is not as BioStar writes a data file \(bytes that are not gzip after its compressed data; see the findings\), so a device may refuse it\./);
    assert.match(await page.getByTestId('compare-findings-first').innerText(), /^BioStarX_20250102_030405\.tgz: Byte \d+ of the file: the gzip trailer's CRC-32/);
    assert.match(await page.getByTestId('compare-findings-second').innerText(), /^BioStarX_20250103_030405\.tgz: Byte \d+ of the file: 4 bytes that are not gzip/);
    assertNothingLeft(errors);
    await page.close();
  });

  test('compares a data file with its repackaged copy, paths matched across the rename', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const copy = makeTgz([['BioStar2_20250102_030405/user.dat', RECORDS], ['BioStar2_20250102_030405/faces/1.png', PNG], ['config/site.txt', Buffer.from('site 1\n')]]);
    // The device's copy comes first; of the same export time the server's file is the first.
    await drop(page, [['BioStar2_20250102_030405.tgz', copy], [`${REWRITE_DIR}.tgz`, REWRITE_TGZ]]);
    await page.getByTestId('listing').waitFor();
    assert.equal(await page.getByTestId('compare-first').evaluate((s) => s.selectedOptions[0].textContent), `${REWRITE_DIR}.tgz`);
    await page.getByTestId('compare').click();
    await page.getByTestId('compare-counts').waitFor();
    const count = async (k) => page.locator(`[data-testid=compare-counts] [data-total=${k}] dd`).innerText();
    assert.deepEqual([await count('added'), await count('removed'), await count('changed'), await count('same')], ['0', '0', '0', '3']);
    assert.match(await page.getByTestId('compare-verdict').innerText(), /hold the same entries with the same data/);
    assert.equal(await page.getByTestId('compare-rename').innerText(), `Paths were matched across the rename: 2 entries whose paths differ only by the BioStarX_ / BioStar2_ prefix of the same export time were taken as the same entry and compared by SHA-256 (the first: ${REWRITE_DIR}/user.dat in the first file, BioStar2_20250102_030405/user.dat in the second).`);
    assertNothingLeft(errors);
    await page.close();
  });

  test('compares two exports made at different times, their entries matched with the export folders set aside', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const older = makeTgz([['BioStarX_20250102_030405/user.dat', RECORDS], ['BioStarX_20250102_030405/faces/1.png', PNG]]);
    const newer = makeTgz([['BioStarX_20250103_101010/user.dat', RECORDS.subarray(0, 4000)], ['BioStarX_20250103_101010/faces/1.png', PNG]]);
    await drop(page, [['BioStarX_20250103_101010.tgz', newer], ['BioStarX_20250102_030405.tgz', older]]);
    await page.getByTestId('listing').waitFor();
    await page.getByTestId('compare').click();
    await page.getByTestId('compare-counts').waitFor();
    const count = async (k) => page.locator(`[data-testid=compare-counts] [data-total=${k}] dd`).innerText();
    assert.deepEqual([await count('added'), await count('removed'), await count('changed'), await count('same')], ['0', '0', '1', '1']);
    assert.match(await page.getByTestId('compare-changed').innerText(), /^BioStarX_20250102_030405\/user\.dat \(now BioStarX_20250103_101010\/user\.dat\): 5000 bytes → 4000 bytes/);
    const note = "Paths were matched with their export folder names set aside: the first file's entries are under BioStarX_20250102_030405, the second's under BioStarX_20250103_101010 (exports made at different times), so 2 entries whose paths differ only in that folder were taken as the same entry and compared by SHA-256.";
    assert.equal(await page.getByTestId('compare-export-folders').innerText(), note);
    // Said once, at the top: before the verdict and the counts.
    const first = await page.evaluate(() => {
      const [n, v] = ['compare-export-folders', 'compare-verdict'].map((id) => document.querySelector(`[data-testid=${id}]`));
      return Boolean(n.compareDocumentPosition(v) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    assert.ok(first, 'the note comes before the verdict');
    assert.equal((await page.locator('main').innerText()).split('set aside').length, 2, 'said once');
    assert.equal(await page.getByTestId('compare-rename').count(), 0);
    assertNothingLeft(errors);
    await page.close();
  });

  test('without OPFS the rewrite is built from parts in memory, says so, and is the same file', async () => {
    assert.ok(rewrittenWithOpfs, 'the OPFS rewrite ran first');
    const noOpfs = await startBrowser(['--disable-blink-features=FileSystemAccessOriginPrivate']);
    try {
      const { page, errors } = await openApp(noOpfs.context, site.url);
      const out = await rewritePaths(page);
      assert.match(await page.getByTestId('rewritten').innerText(), /OPFS is not available \(this browser offers no origin private file system\): it was built in memory/);
      assert.ok(out.bytes.equals(rewrittenWithOpfs), 'the same bytes as the OPFS rewrite');
      const foreign = noOpfs.requests.filter((r) => !r.url.startsWith(new URL(site.url).origin) && !r.url.startsWith('blob:'));
      assert.deepEqual(foreign, [], 'no request left 127.0.0.1');
      assert.deepEqual(errors, [], 'no page errors');
    } finally {
      await noOpfs.browser.close();
    }
  });

  test('30,000 entries stay virtual, and hostile paths are reported with their offset', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const many = Array.from({ length: 30_000 }, (_, i) => [`f/${i}.bin`, Buffer.from(`entry ${i}`)]);
    many.splice(1, 0, ['../escape.txt', Buffer.from('out')]);
    await drop(page, [['BioStarX_20250102_030405.tgz', makeTgz(many)]]);
    await page.getByTestId('listing').waitFor();
    assert.equal(await page.locator('[data-total=entries] dd').innerText(), '30001');
    assert.match(await page.getByTestId('archive-status').innerText(), /reads to its end, with the findings below/);
    const warning = page.getByTestId('findings').locator('li.warning').first();
    assert.equal(await warning.getAttribute('data-byte'), '1024', 'the second header (after the first header and its data block)');
    assert.match(await warning.innerText(), /^Byte 1024 of the uncompressed archive: .*\.\./);
    // An entry that climbs out of the folder: no rename before the user says so.
    assert.match(await page.getByTestId('damaged-warning').innerText(), /could be written outside the device's folder .* it may not be a genuine export/);
    assert.equal(await page.getByTestId('download-renamed').isDisabled(), true);
    await page.getByTestId('rename-anyway').check();
    assert.equal(await page.getByTestId('download-renamed').isDisabled(), false);
    await entry(page, 'f/0.bin').waitFor();
    const rows = await page.getByTestId('entry').count();
    assert.ok(rows > 0 && rows <= 200, `${rows} rows in the page, not 30,001`);
    await page.getByTestId('entries').evaluate((grid) => { grid.scrollTop = grid.scrollHeight; grid.dispatchEvent(new Event('scroll')); });
    await entry(page, 'f/29999.bin').waitFor();
    assert.equal(await entry(page, 'f/29999.bin').getByTestId('entry-size').innerText(), String('entry 29999'.length));
    assert.ok(await page.getByTestId('entry').count() <= 200);
    assert.equal(await entry(page, 'f/0.bin').count(), 0, 'the first rows left the page');
    assertNothingLeft(errors);
    await page.close();
  });

  test('a data file of several slices lists, hashes and rewrites whole, read ahead while it is walked', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    // About 21 MB compressed: three 8 MiB slices, the next read while one is walked.
    const noise = (n, seed) => {
      const words = new Uint32Array(Math.ceil(n / 4));
      let x = seed + 1;
      for (let i = 0; i < words.length; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; words[i] = x; }
      return Buffer.from(words.buffer, 0, n);
    };
    const files = Array.from({ length: 40 }, (_, i) => [`${REWRITE_DIR}/faces/${i}.bin`, noise(500_000 + i * 1000, i)]);
    files.splice(20, 0, [`${REWRITE_DIR}/zeros.bin`, Buffer.alloc(30_000_000)]);
    const tgz = makeTgz(files);
    assert.ok(tgz.length > 2 * 8 * 1024 * 1024, `${tgz.length} bytes`);
    await drop(page, [['BioStarX_20250102_030405.tgz', tgz]]);
    await page.getByTestId('listing').waitFor({ timeout: 60_000 });
    assert.match(await page.getByTestId('archive-status').innerText(), /The archive is whole/);
    assert.equal(await page.locator('[data-total=entries] dd').innerText(), '41');
    await page.getByTestId('compute-sha256').click();
    await page.getByTestId('hashed').waitFor({ timeout: 60_000 });
    for (const [path, bytes] of [files[0], files[20], files[40]]) {
      await entry(page, path).getByTestId('entry-sha256').getByText(sha256(bytes)).waitFor();
    }
    // The rewrite reads the file again, ahead, and writes it to OPFS as the slices come.
    await page.getByTestId('show-plan').click();
    await page.getByTestId('plan').waitFor();
    const out = await downloadOf(page, 'rewrite-paths');
    assert.equal(out.name, 'BioStar2_20250102_030405.tgz');
    assert.match(await page.getByTestId('rewritten').innerText(), /Wrote 41 entries with 41 names rewritten/);
    assertRewritten(tgz, out.bytes, 41);
    assertNothingLeft(errors);
    await page.close();
  });

  test('a cancelled listing can be read again', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const many = Array.from({ length: 200_000 }, (_, i) => [`u/${i}.dat`, Buffer.from(`record ${i} `.repeat(20))]);
    await drop(page, [['BioStarX_20250102_030405.tgz', makeTgz(many)]]);
    // The listing made when the file opened is shown at once (the file is read once);
    // hashing reads it again, and that reading is cancelled.
    await page.getByTestId('listing').waitFor({ timeout: 60_000 });
    await page.getByTestId('compute-sha256').click();
    await page.getByTestId('progress').getByText('Verifying, listing and hashing').waitFor();
    await page.getByTestId('cancel').click();
    await page.getByTestId('read-again').click();
    await page.getByTestId('listing').waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('[data-total=entries] dd').innerText(), '200000');
    await entry(page, 'u/0.dat').waitFor();
    assertNothingLeft(errors);
    await page.close();
  });

  test('every kind of broken or hostile file gets its report on the page, and the name is checked', async () => {
    // Links and a FIFO as GNU tar archives them.
    const work = scratchDir('hostile');
    writeFileSync(join(work, 'users.dat'), 'u');
    execFileSync('ln', ['-s', '/etc/passwd', join(work, 'link')]);
    execFileSync('mkfifo', [join(work, 'pipe')]);
    const links = execFileSync('tar', ['-czf', '-', '-C', work, 'users.dat', 'link', 'pipe']);
    // A header claiming 8 GB, then 100 MB of zeros: about 100 kB of gzip.
    const bomb = gzipSync(Buffer.concat([tarHeader('bomb.bin', 8 * 2 ** 30 - 1), Buffer.alloc(100_000_000)]));
    const whole = makeTgz([['users.bin', RECORDS]]);
    // The tar inside.
    const raw = gunzipSync(whole);
    const cases = [
      ['links', links, 'warning', [/entry link is a symbolic link to \/etc\/passwd/, /entry pipe is a device file or FIFO/]],
      // Read through whatever the ratio (flat memory): the header's claim is what is wrong.
      ['a compression bomb', bomb, 'error', [/says it holds 8589934591 bytes, but the archive ends first: it is cut off/]],
      ['a tar that is not gzip-compressed', raw, 'warning', [/this is a tar archive that is not gzip-compressed: a device expects a gzip-compressed tar \(\.tgz\)/]],
      ['a second gzip member and junk', Buffer.concat([whole, gzipSync(Buffer.from('more')), Buffer.from('junk')]), 'warning', [/^Byte \d+ of the file: gzip member 2 starts here/, /^Byte \d+ of the file: 4 bytes that are not gzip follow the end of the compressed data/]],
    ];
    // What is no data file at all is said at once, before any screen opens.
    const refused = [
      ['not gzip at all', Buffer.from('PK\x03\x04 this is a zip'), /is named like a BioStar data file but is not gzip-compressed \(it does not start with the bytes 1f 8b 08\): it is damaged or not a data file/],
      ['an empty file', Buffer.alloc(0), /is empty \(0 bytes\): there is nothing to read/],
      // Gzip holding no tar: not a file bioport reads, as the command line says, not a data file screen.
      ['gzip holding text', gzipSync(Buffer.from('name,id\nAnn,1\n'.repeat(100))), /BioStarX_20250102_030405\.tgz: the contents are not a tar archive \(the first 512 bytes are not a tar header\): not a BioStar data file \(byte 0 of the uncompressed archive\)\. It is damaged or not a data file: export it again\./],
    ];
    for (const [what, bytes, said] of refused) {
      const { page, errors } = await openApp(b.context, site.url);
      await drop(page, [['BioStarX_20250102_030405.tgz', bytes]]);
      await page.getByTestId('notice').filter({ hasText: said }).waitFor({ timeout: 10_000 });
      assert.equal(await page.getByTestId('start').count(), 1, `${what}: the start screen stays`);
      assert.equal(await page.getByTestId('listing').count(), 0, `${what}: no data file screen`);
      assertNothingLeft(errors);
      await page.close();
    }
    for (const [what, bytes, severity, said] of cases) {
      const { page, errors } = await openApp(b.context, site.url);
      await drop(page, [['BioStarX_20250102_030405.tgz', bytes]]);
      await page.getByTestId('listing').waitFor({ timeout: 60_000 });
      const findings = await page.getByTestId('findings').locator(`li.${severity}`).allInnerTexts();
      for (const re of said) assert.ok(findings.some((f) => re.test(f)), `${what}: ${re} in ${JSON.stringify(findings)}`);
      const status = await page.getByTestId('archive-status').innerText();
      assert.match(status, severity === 'error' ? /damaged/ : /reads to its end, with the findings below/, what);
      if (bytes === raw) {
        // A plain tar: renamed only when ticked; offered compressed instead.
        assert.equal(await page.getByTestId('download-renamed').isDisabled(), true);
        assert.equal(await page.getByTestId('rewrite-paths').innerText(), 'Compress and download');
        const out = await downloadOf(page, 'rewrite-paths');
        assert.equal(out.name, 'BioStar2_20250102_030405.tgz');
        assert.ok(out.bytes.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b])), 'gzip-compressed');
        assert.ok(gunzipSync(out.bytes).includes(Buffer.from('users.bin')));
      }
      assertNothingLeft(errors);
      await page.close();
    }
  });

  test('a copy\'s name (" (1)", .tar.gz) renames to the device\'s name, its paths rewritten', async () => {
    for (const [name, dropped] of [[`${REWRITE_DIR} (1).tgz`, /: dropped the suffix " \(1\)"/], [`${REWRITE_DIR}.tar.gz`, /: dropped the extension \.tar\.gz/]]) {
      const { page, errors } = await openApp(b.context, site.url);
      await drop(page, [[name, REWRITE_TGZ]]);
      await page.getByTestId('listing').waitFor();
      assert.match(await page.getByTestId('export-time').innerText(), /Exported 2025-01-02 03:04:05/);
      assert.match(await page.getByTestId('name-dropped').innerText(), dropped);
      const plain = await downloadOf(page, 'download-renamed');
      assert.equal(plain.name, 'BioStar2_20250102_030405.tgz');
      assert.ok(plain.bytes.equals(REWRITE_TGZ));
      // The rewrite is offered beside the sentence that offers it, the list of names not opened.
      assert.equal(await page.getByTestId('plan').count(), 0);
      const out = await downloadOf(page, 'rewrite-paths');
      assert.equal(out.name, 'BioStar2_20250102_030405.tgz');
      assertRewritten(REWRITE_TGZ, out.bytes, 3);
      assertNothingLeft(errors);
      await page.close();
    }
  });

  test('a name whose date is impossible is said so, and the rename waits for an explicit choice, as the CLI\'s does', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const tgz = makeTgz([['BioStarX_20241345_101500/users.bin', RECORDS]]);
    await drop(page, [['BioStarX_20241345_101500.tgz', tgz]]);
    await page.getByTestId('listing').waitFor();
    assert.match(await page.getByTestId('name-flag').innerText(), /^The date and time in the name are impossible: the name BioStarX_20241345_101500\.tgz has the pattern of a data file, but 20241345_101500 is not a date and time/);
    assert.equal(await page.getByTestId('name-time-warning').innerText(), "The name's export time (above) is not a date and time, so a device may refuse the file: rename it by hand to its real export time (BioStarX_YYYYMMDD_HHMMSS.tgz), or rename it as it is.");
    assert.equal(await page.getByTestId('download-renamed').isDisabled(), true, 'no rename before the choice');
    assert.equal(await page.getByTestId('rewrite-paths').isDisabled(), true, 'no rewrite before the choice');
    await page.getByTestId('rename-anyway').check();
    assert.equal(await page.getByTestId('rewrite-paths').isDisabled(), false);
    const out = await downloadOf(page, 'download-renamed');
    assert.equal(out.name, 'BioStar2_20241345_101500.tgz');
    assert.ok(out.bytes.equals(tgz), 'the same bytes');
    assertNothingLeft(errors);
    await page.close();
  });

  test('a file not named like a data file is flagged, and a device file renames back to the server\'s name', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const tgz = makeTgz([['users.bin', RECORDS]]);
    await drop(page, [['users_backup.tgz', tgz]]);
    await page.getByTestId('listing').waitFor();
    assert.match(await page.getByTestId('name-flag').innerText(), /^The name is not a data file name: /);
    await page.close();
    const again = await openApp(b.context, site.url);
    await drop(again.page, [['BioStar2_20250102_030405.tgz', tgz]]);
    await again.page.getByTestId('listing').waitFor();
    await again.page.getByTestId('to-server').check();
    const back = await downloadOf(again.page, 'download-renamed');
    assert.equal(back.name, 'BioStarX_20250102_030405.tgz');
    assert.ok(back.bytes.equals(tgz), 'the same bytes');
    assertNothingLeft(errors);
    assertNothingLeft(again.errors);
    await again.page.close();
  });
});

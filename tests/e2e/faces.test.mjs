// End-to-end: the face image folder with the user CSV, in Debian's Chromium: the images are
// picked as many files, checked in the worker, shown as thumbnails, and a fixed cell clears
// its finding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openApp, png, startBrowser, startSite } from './helpers.mjs';

/** The header of a baseline JPEG of w x h pixels (SOF0), then its end marker. */
function jpegHeader(w, h) {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  const sof0 = [0xff, 0xc0, 0x00, 0x11, 0x08, h >> 8, h & 255, w >> 8, w & 255, 0x03,
    0x01, 0x11, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01];
  return Buffer.from([0xff, 0xd8, ...app0, ...sof0, 0xff, 0xd9]);
}

/**
 * A baseline JPEG of w x h pixels `size` bytes long: its header (with APP1 segments of
 * `exif` bytes in all before the frame header), zeros, then the end marker unless `cut`.
 */
function jpegOf(w, h, size, { exif = 0, cut = false } = {}) {
  const segments = [];
  for (let left = exif; left > 0; left -= 40_000) {
    const n = Math.min(left, 40_000);
    segments.push(Buffer.from([0xff, 0xe1, (n + 2) >> 8, (n + 2) & 255]), Buffer.alloc(n, 0x45));
  }
  const header = jpegHeader(w, h);
  const head = Buffer.concat([header.subarray(0, 20), ...segments, header.subarray(20, header.length - 2)]);
  const end = Buffer.from(cut ? [0, 0] : [0xff, 0xd9]);
  return Buffer.concat([head, Buffer.alloc(size - head.length - 2), end]);
}

const CSV = [
  'user_id,name,face_image_file1',
  '1,Kim,kim.png',
  '2,Lee,Lee.PNG',
  '3,Park,park.jpg',
  '4,Choi,small.jpg',
  '5,Jung,fake.png',
].join('\r\n') + '\r\n';

const IMAGES = [
  { name: 'kim.png', mimeType: 'image/png', buffer: png(300, 300, 10) },
  { name: 'lee.png', mimeType: 'image/png', buffer: png(280, 260, 90) },
  { name: 'small.jpg', mimeType: 'image/jpeg', buffer: jpegHeader(200, 200) },
  { name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('not an image, only named like one') },
  { name: 'extra.png', mimeType: 'image/png', buffer: png(260, 260, 200) },
];

const summaryIs = (page, text) => page.waitForFunction(
  (t) => document.querySelector('[data-testid=faces-summary]')?.textContent === t, text);

/** Picks `csv` as users.csv, then `images` as the face folder. */
async function pickCsvAndImages(page, csv, images) {
  await page.getByTestId('file-input').first().setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByTestId('csv-summary').waitFor();
  await page.getByTestId('faces-panel').locator('summary').click();
  await page.getByTestId('faces-files-input').setInputFiles(images);
}

/** Shows only the rows with face image findings, `rows` of them. */
async function showFaceRows(page, rows) {
  await page.getByTestId('faces-filter').click();
  await page.waitForFunction((n) => document.querySelector('[data-testid=row-count]')?.textContent === `${n} ${n === 1 ? 'row' : 'rows'}`, rows);
}

/** The row detail of grid line `line`, opened by a click. */
async function detailOf(page, line) {
  await page.locator(`.grid-row[data-line="${line}"] .cell.line`).click();
  await page.waitForFunction((l) => document.querySelector('[data-testid=row-detail] h3')?.textContent === `Line ${l}`, line);
  return page.getByTestId('row-detail').innerText();
}

test('face images: checked in the worker, a thumbnail shown, a finding cleared when its cell is fixed', async () => {
  const site = await startSite();
  const b = await startBrowser();
  try {
      const { page, errors } = await openApp(b.context, site.url);
    const t0 = Date.now();
    const n0 = site.received.length;
    await pickCsvAndImages(page, CSV, IMAGES);
    await summaryIs(page, '5 images: 3 errors and 1 warning on rows; 1 image named by no row.');

    // The rows with face image findings, and what each says.
    await showFaceRows(page, 4);
    assert.match(await detailOf(page, 3), /no file is named exactly "Lee\.PNG", but "lee\.png" differs only in case/);
    assert.match(await detailOf(page, 4), /"park\.jpg" is not in the face image folder/);
    assert.match(await detailOf(page, 5), /small\.jpg is 200 x 200 px, under the 250 x 250 px/);
    assert.match(await detailOf(page, 6), /fake\.png is not an image by its bytes/);

    // Kim's row has no finding, and its detail shows the image, decoded by the browser.
    await page.getByTestId('row-filter').selectOption('all');
    await page.waitForFunction(() => document.querySelector('[data-testid=row-count]')?.textContent === '5 rows');
    assert.match(await detailOf(page, 2), /No findings/);
    const thumb = page.getByTestId('face-thumb');
    await thumb.waitFor();
    assert.ok((await thumb.getAttribute('src')).startsWith('blob:'), 'an object URL of the picked file');
    await page.waitForFunction(() => document.querySelector('[data-testid=face-thumb]')?.naturalWidth === 300);

    // Fix Lee's cell: the finding clears at once, and the folder's counts follow.
    await page.locator('.grid-row[data-line="3"] [data-col="2"]').click();
    const editor = page.getByTestId('cell-editor');
    await editor.fill('lee.png');
    await editor.press('Enter');
    await summaryIs(page, '5 images: 2 errors and 1 warning on rows; 1 image named by no row.');
    assert.match(await detailOf(page, 3), /No findings/);
    await page.waitForFunction(() => document.querySelector('[data-testid=face-thumb]')?.naturalWidth === 280);

    // The image no row names, one click from being seen.
    await page.getByTestId('faces-unnamed').locator('summary').click();
    await page.getByTestId('faces-unnamed').getByRole('button', { name: 'extra.png' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid=face-preview] img')?.naturalWidth === 260);

    // As an import by file name, none of these images is named after a user ID.
    await page.getByTestId('faces-by-name').click();
    const report = page.getByTestId('faces-by-name-report');
    await report.waitFor();
    assert.match(await report.innerText(), /^5 images; 5 users, 0 with an image, 5 without; 5 images named after no user/);
    // Downloaded as new users with their faces: on this numeric site, no name is a user ID.
    await report.locator('details summary').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('faces-new-users').click()]);
    assert.equal(download.suggestedFilename(), 'new_users_from_faces.csv');
    const csv = readFileSync(await download.path(), 'utf8');
    // fake.png is no image by its bytes: the server would refuse it, so it is left out.
    const sound = IMAGES.filter((f) => f.name !== 'fake.png');
    assert.equal(csv, 'user_id,name,face_image_file1\r\n' + sound.map((f) => `${f.name.replace(/\.[^.]*$/, '')},,${f.name}\r\n`).join(''));
    const written = page.getByTestId('faces-new-users-written');
    await written.waitFor();
    assert.match(await written.innerText(), /^4 new users written.*The import check finds 4 problems/);
    assert.equal(await report.locator('details li').count(), 4);

    // Dropped on the panel, the images replace the folder (a drop of files; Playwright
    // cannot make a drop of a folder, whose files are read through the entries API).
    await page.getByTestId('faces-panel').evaluate((panel, files) => {
      const dt = new DataTransfer();
      for (const f of files) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
      panel.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, IMAGES.slice(0, 2).map((f) => ({ name: f.name, b64: f.buffer.toString('base64') })));
    await summaryIs(page, '2 images: 3 errors and 0 warnings on rows; 0 images named by no row.');

    // Nothing left the page.
    assert.deepEqual(site.received.slice(n0), [], 'the server received nothing');
    assert.deepEqual(b.requests.filter((r) => r.at > t0 && !r.url.startsWith('blob:')), []);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await b.browser.close();
    site.server.close();
  }
});

// Files over 1 MiB are read as their first and last bytes, smaller ones whole and many in
// one read; headers longer than the first 64 KiB are read on; identical files are found.
const BIG_CSV = [
  'user_id,name,face_image_file1',
  '1,Big,big.jpg',
  '2,Cut,bigcut.jpg',
  '3,Exif,exif.jpg',
  '4,BigExif,bigexif.jpg',
  '5,One,copy1.jpg',
  '6,Two,copy2.jpg',
  '7,Other,other.jpg',
].join('\r\n') + '\r\n';

const MIB = 1024 * 1024;
const BIG_IMAGES = [
  ['big.jpg', jpegOf(1000, 800, 2 * MIB)],
  ['bigcut.jpg', jpegOf(1000, 800, 2 * MIB, { cut: true })],
  ['exif.jpg', jpegOf(4500, 300, 300_000, { exif: 100_000 })],
  ['bigexif.jpg', jpegOf(300, 4200, 3 * MIB, { exif: 150_000 })],
  ['copy1.jpg', jpegOf(600, 600, 200_000)],
  ['copy2.jpg', jpegOf(600, 600, 200_000)],
  ['other.jpg', jpegOf(600, 601, 200_000)],
].map(([name, buffer]) => ({ name, mimeType: 'image/jpeg', buffer }));

test('face images: large files, long headers and identical files', async () => {
  const site = await startSite();
  const b = await startBrowser();
  try {
    const { page, errors } = await openApp(b.context, site.url);
    await pickCsvAndImages(page, BIG_CSV, BIG_IMAGES);
    // bigcut.jpg is cut off; exif.jpg and bigexif.jpg are over 4000 px; copy1 and copy2 are
    // identical, other.jpg only as large: 5 rows with an error, none with a warning.
    await summaryIs(page, '7 images: 5 errors and 0 warnings on rows; 0 images named by no row.');
    await showFaceRows(page, 5);
    assert.match(await detailOf(page, 3), /bigcut\.jpg is cut off/);
    assert.match(await detailOf(page, 4), /exif\.jpg is 4500 x 300 px, over the server's 4000 x 4000 px limit/);
    assert.match(await detailOf(page, 5), /bigexif\.jpg is 300 x 4200 px, over the server's 4000 x 4000 px limit/);
    assert.match(await detailOf(page, 6), /"copy1\.jpg" has the same bytes as "copy2\.jpg", named on line 7/);
    assert.match(await detailOf(page, 7), /"copy2\.jpg" has the same bytes as "copy1\.jpg", named on line 6/);
    await page.getByTestId('row-filter').selectOption('all');
    assert.match(await detailOf(page, 2), /No findings/);
    assert.match(await detailOf(page, 8), /No findings/);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await b.browser.close();
    site.server.close();
  }
});

// A folder of more files than one message to the worker carries (128): the page sends it in
// parts and the worker reads the first parts while the rest arrive; identical files in the
// first and the last part are still found, and a hidden file in a middle part is skipped.
test('face images: a folder sent in parts', async () => {
  const n = 600;
  const rows = Array.from({ length: n }, (_, i) => `${i + 1},User ${i + 1},u${i + 1}.jpg`);
  const csv = ['user_id,name,face_image_file1', ...rows].join('\r\n') + '\r\n';
  const images = [];
  for (let i = 1; i <= n; i++) {
    // u1 and u600 have the same bytes; every other image its own size. u350 is missing.
    if (i !== 350) images.push({ name: `u${i}.jpg`, mimeType: 'image/jpeg', buffer: jpegOf(300, 300, i === n ? 5000 : 5000 + i - 1) });
    if (i === 400) images.push({ name: '.DS_Store', mimeType: 'application/octet-stream', buffer: Buffer.alloc(64) });
  }
  images.push({ name: 'extra.jpg', mimeType: 'image/jpeg', buffer: jpegOf(300, 300, 4000) });
  const site = await startSite();
  const b = await startBrowser();
  try {
    const { page, errors } = await openApp(b.context, site.url);
    await pickCsvAndImages(page, csv, images);
    await summaryIs(page, `${n} images: 3 errors and 0 warnings on rows; 1 image named by no row.`);
    await showFaceRows(page, 3);
    assert.match(await detailOf(page, 2), /"u1\.jpg" has the same bytes as "u600\.jpg", named on line 601/);
    assert.match(await detailOf(page, 351), /u350\.jpg/);
    // Headers only, picked again: the folder is replaced and the copies are not looked for.
    await page.getByTestId('faces-panel').locator('input[type=checkbox]').setChecked(false);
    await page.getByTestId('faces-files-input').setInputFiles(images.slice(0, 300));
    await summaryIs(page, '300 images: 300 errors and 0 warnings on rows (identical images not looked for); 0 images named by no row.');
    // A second folder picked while the first is still being sent (both picks in one task,
    // so the first has sent only its first part): the first job ends quietly and the
    // second's findings show, with no error notice.
    await page.getByTestId('faces-panel').locator('input[type=checkbox]').setChecked(true);
    await page.getByTestId('faces-files-input').evaluate((input) => {
      const pick = (files) => {
        const dt = new DataTransfer();
        for (const f of files) dt.items.add(f);
        input.files = dt.files;
        input.dispatchEvent(new Event('change', { bubbles: true }));
      };
      pick(Array.from({ length: 601 }, (_, i) => new File([`junk ${i}`], `u${i + 1}.jpg`)));
      pick([new File(['not an image'], 'u1.jpg'), new File(['not an image either'], 'u2.jpg')]);
    });
    await summaryIs(page, '2 images: 600 errors and 0 warnings on rows; 0 images named by no row.');
    assert.equal(await page.locator('[data-testid=notice] .notice.error').count(), 0);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await b.browser.close();
    site.server.close();
  }
});

test('a ZIP picked among the face images is said to need unpacking', async () => {
  const site = await startSite();
  const b = await startBrowser();
  try {
    const { page, errors } = await openApp(b.context, site.url);
    await pickCsvAndImages(page, CSV, [IMAGES[0], { name: 'faces.zip', mimeType: 'application/zip', buffer: Buffer.from('PK\x03\x04 the other photos') }]);
    await page.getByTestId('faces-archives').waitFor();
    assert.match(await page.getByTestId('faces-archives').innerText(), /^faces\.zip is an archive: the images packed in it are not read\. Unpack it/);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await b.browser.close();
    site.server.close();
  }
});

// End-to-end: a face folder picked as a folder (with a sub-folder), a CSV whose face cells
// wait for one, a file found only in another Unicode form, a file that is no image, and a
// CSV without face columns checked as an import by file name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dropPaths, openApp, png, scratchDir, useSiteAndBrowser } from './helpers.mjs';

let site;
let b;
useSiteAndBrowser((s, browser) => { [site, b] = [s, browser]; });

/** Writes `files` ({path: bytes}) under a new folder; its path. */
function folderOf(prefix, files) {
  const dir = join(scratchDir(prefix), 'faces');
  for (const [path, bytes] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  }
  return dir;
}

/** The row detail of grid line `line`, opened by a click. */
async function detailOf(page, line) {
  await page.locator(`.grid-row[data-line="${line}"] .cell.line`).click();
  await page.waitForFunction((l) => document.querySelector('[data-testid=row-detail] h3')?.textContent === `Line ${l}`, line);
  return page.getByTestId('row-detail').innerText();
}

const summaryIs = (page, text) => page.waitForFunction(
  (t) => document.querySelector('[data-testid=faces-summary]')?.textContent === t, text);

/** Opens `csv` as users.csv and the Face images panel. */
async function openCsv(page, csv) {
  await page.getByTestId('file-input').first().setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByTestId('csv-summary').waitFor();
  await page.getByTestId('faces-panel').locator('summary').click();
}

test('face folder dropped from disk on the panel: its own files read, a sub-folder\'s named and not read', async () => {
  const csv = 'user_id,name,face_image_file1\r\n1,Kim,3.png\r\n2,Lee,8.jpg\r\n';
  const dir = folderOf('faces-drop', {
    '3.png': png(300, 300, 10),
    '4.png': png(310, 300, 20),
    'sub/8.jpg': png(300, 300, 30),
  });
  const { page, errors } = await openApp(b.context, site.url);
  await openCsv(page, csv);
  // Dropped on the panel's heading, as a user drags the folder from a file manager.
  await dropPaths(page, page.getByTestId('faces-panel').locator('summary'), [dir]);
  await summaryIs(page, '2 images: 1 error and 0 warnings on rows; 1 image named by no row.');
  assert.match(await page.getByTestId('faces-note').first().innerText(),
    /^1 file in a sub-folder, where BioStar does not look, not read: sub\/8\.jpg\./);
  assert.match(await detailOf(page, 3), /"8\.jpg" is in the sub-folder "sub", where BioStar does not look/);
  await detailOf(page, 2);
  await page.waitForFunction(() => document.querySelector('[data-testid=face-thumb]')?.naturalWidth === 300);
  assert.deepEqual(errors, []);
  await page.close();
});

test('face folder: a sub-folder is not read, a name in another Unicode form shows its file, a non-image has no preview', async () => {
  const csv = 'user_id,name,face_image_file1\r\n1,Kim,3.png\r\n2,Lee,8.jpg\r\n3,Zoë,Zo\u00eb.png\r\n';
  const dir = folderOf('faces-sub', {
    '3.png': png(300, 300, 10),
    'Zoe\u0308.png': png(320, 300, 90),
    'notes.txt': Buffer.from('not a photo'),
    'sub/8.jpg': png(300, 300, 30),
  });
  const { page, errors } = await openApp(b.context, site.url);
  await openCsv(page, csv);
  // Before a folder: the face cells are said to be unchecked.
  assert.equal(await page.getByTestId('faces-unchecked').innerText(),
    'The face image cells are not checked yet: add the folder of images under Face images.');
  assert.equal(await page.locator('label[for=faces-folder]').innerText(), 'Add the face image folder');
  await page.getByTestId('faces-folder-input').setInputFiles(dir);
  await summaryIs(page, '3 images: 2 errors and 0 warnings on rows; 1 image named by no row.');
  assert.equal(await page.getByTestId('faces-unchecked').count(), 0);
  assert.match(await page.getByTestId('faces-note').first().innerText(),
    /^1 file in a sub-folder, where BioStar does not look, not read: sub\/8\.jpg\./);
  assert.equal(await page.locator('label[for=faces-folder]').innerText(), 'Choose a different folder (it replaces this one)');
  assert.match(await detailOf(page, 3), /"8\.jpg" is in the sub-folder "sub", where BioStar does not look: move it into the folder you pick at import\./);
  // The row detail names the file its finding names, with its thumbnail.
  const zoe = await detailOf(page, 4);
  assert.match(zoe, /the file's name is written decomposed \(ë as e \+ U\+0308\)/);
  assert.doesNotMatch(zoe, /not in the folder/);
  assert.ok(zoe.includes('Zoë.png: the folder\'s file is "Zoe\u0308.png"'), zoe);
  await page.waitForFunction(() => document.querySelector('[data-testid=face-thumb]')?.naturalWidth === 320);
  // A file that is no image: said so, not a broken picture.
  await page.getByTestId('faces-unnamed').locator('summary').click();
  await page.getByTestId('faces-unnamed').getByRole('button', { name: 'notes.txt' }).click();
  await page.getByTestId('face-preview-none').waitFor();
  assert.equal(await page.getByTestId('face-preview-none').innerText(), 'not an image: no preview');
  assert.equal(await page.locator('[data-testid=face-preview] img').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('face folder with a CSV of no face column: a hint, and the import by file name counts as the command line', async () => {
  const dir = folderOf('faces-plain', {
    '1.png': png(300, 300, 10),
    '99.png': png(300, 300, 20),
    '12.jpg': Buffer.alloc(0),
    'notes.txt': Buffer.from('not a photo'),
    'Thumbs.db': Buffer.from('thumbs'),
  });
  const { page, errors } = await openApp(b.context, site.url);
  await openCsv(page, 'user_id,name\r\n1,Kim\r\n2,Lee\r\n');
  assert.equal(await page.getByTestId('faces-unchecked').count(), 0);
  await page.getByTestId('faces-folder-input').setInputFiles(dir);
  await summaryIs(page, '4 images: 0 errors and 0 warnings on rows; 4 images named by no row.');
  const notes = await page.getByTestId('faces-note').allInnerTexts();
  assert.match(notes[0], /^No column of this CSV names face images .* Did you mean an import by file name/);
  assert.equal(notes[1], '1 system file skipped (written by the system, not photos): Thumbs.db.');
  // The unnamed images are listed sorted.
  assert.deepEqual(await page.getByTestId('faces-unnamed').locator('li').allTextContents(), ['1.png', '12.jpg', '99.png', 'notes.txt']);
  await page.getByTestId('faces-by-name').click();
  const report = page.getByTestId('faces-by-name-report');
  await report.waitFor();
  assert.equal(await report.locator('p').first().innerText(),
    '3 images; 2 users, 1 with an image, 1 without; 2 images named after no user; 0 users with two images; 1 image finding; 1 file not an image, ignored; 1 system file skipped.');
  assert.match(await report.innerText(), /notes\.txt is not an image \(not \.jpg, \.jpeg or \.png\), ignored/);
  assert.match(await report.innerText(), /12\.jpg is named after no user ID of users\.csv, and the server would refuse it/);
  await report.locator('details summary').click();
  assert.equal(await report.locator('.new-users').innerText(), '99');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a CSV picked with its images on the start page opens with them as its face folder', async () => {
  const { page, errors } = await openApp(b.context, site.url);
  await page.getByTestId('file-input').first().setInputFiles([
    { name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from('user_id,name,face_image_file1\r\n1,Kim,1.png\r\n2,Lee,2.png\r\n') },
    { name: '1.png', mimeType: 'image/png', buffer: png(300, 300, 10) },
    { name: '2.png', mimeType: 'image/png', buffer: png(300, 300, 20) },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('a note') },
  ]);
  await page.getByTestId('csv-summary').waitFor();
  assert.equal(await page.getByTestId('csv-summary').locator('h2').innerText(), 'users.csv');
  await summaryIs(page, '3 images: 0 errors and 0 warnings on rows; 1 image named by no row.');
  assert.match(await page.locator('main').innerText(), /^(?![\s\S]*Files bioport does not read)/);
  assert.deepEqual(errors, []);
  await page.close();
});

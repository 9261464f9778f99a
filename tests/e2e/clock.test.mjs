// End-to-end: a time clock's USB files in Debian's Chromium, as an administrator uses them:
// a user.dat and a damaged attendance log dropped together, names joined, filters, the
// repaired log, the users converted for BioStar and checked in the workbench.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dropPaths, fixture, openApp, scratchDir, useSiteAndBrowser } from './helpers.mjs';

let site;
let b;
useSiteAndBrowser((s, browser) => { [site, b] = [s, browser]; });

const LOG_D = 'attlog_D_yqs112358_caoka_flash_corruption_excerpt.dat';

/** One 72-byte user.dat record (layout: ../shared/docs/formats.md section 3). */
function record72({ uid, password = '', name, card = 0, userId }) {
  const r = Buffer.alloc(72, 0);
  r.writeUInt16LE(uid, 0);
  r.write(password, 3, 8, 'utf8');
  r.write(name, 11, 24, 'utf8');
  r.writeUInt32LE(card, 35);
  r[39] = 1;
  r.write(userId, 48, 24, 'utf8');
  return r;
}

// Three users whose IDs punch in sample D, then an empty slot.
const USER_DAT = Buffer.concat([
  record72({ uid: 1, name: 'Ann', userId: '730004', password: '1234' }),
  record72({ uid: 2, name: 'Bob', userId: '710016', card: 5001 }),
  record72({ uid: 3, name: 'Zoë Lindqvist', userId: '710011' }),
  Buffer.alloc(72, 0),
]);

/** One 608-byte template.dat record: size, uid, finger, valid flag, then template bytes. */
function template608(uid, finger) {
  const r = Buffer.alloc(608, 0x5a);
  r.writeUInt16LE(602, 0);
  r.writeUInt16LE(uid, 2);
  r[4] = finger;
  r[5] = 1;
  return r;
}

// Bob's fingers 0 and 5, and a finger of uid 40, whom user.dat does not have.
const TEMPLATES = Buffer.concat([template608(2, 0), template608(2, 5), template608(40, 1)]);

async function downloadOf(page, testId) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
}

/** A clock's USB folder as dropFolder takes it: user.dat, a log, and templates in a sub-folder. */
const usbFolder = () => ({
  'user.dat': USER_DAT.toString('base64'),
  '1_attlog.dat': fixture(LOG_D).toString('base64'),
  templates: { 'template.dat': TEMPLATES.toString('base64') },
});

/** The folder of usbFolder written to disk; its path. */
function usbOnDisk() {
  const usb = scratchDir('usb');
  mkdirSync(join(usb, 'templates'));
  writeFileSync(join(usb, 'user.dat'), USER_DAT);
  writeFileSync(join(usb, '1_attlog.dat'), fixture(LOG_D));
  writeFileSync(join(usb, 'templates', 'template.dat'), TEMPLATES);
  return usb;
}

/** Waits for usbFolder's files on the clock screen, as one set: 3 files, their counts, linked. */
async function usbSetShown(page) {
  await page.getByTestId('clock-templates').waitFor();
  assert.equal(await page.getByTestId('file-card').count(), 3);
  assert.match(await page.getByTestId('attlog-summary').innerText(), /3 punches, 12 damaged lines/);
  assert.match(await page.getByTestId('user-dat-summary').innerText(), /^3 users/);
  assert.match(await page.getByTestId('templates-without-user').innerText(), /uid 40/);
}

/**
 * Drops a folder on the page's drop zone as Chromium hands one over: file system entries
 * whose callbacks hand out one child a batch, so the walk must ask again until a batch
 * comes back empty. `tree` maps a name to base64 bytes, or to a sub-folder's tree.
 */
async function dropFolder(page, tree) {
  await page.evaluate((tree) => {
    const entry = (name, b64) => {
      const f = new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name);
      return { isFile: true, isDirectory: false, name, file: (ok) => setTimeout(() => ok(f), 0) };
    };
    const folder = (t) => {
      const children = Object.entries(t).map(([name, v]) => (typeof v === 'string' ? entry(name, v) : folder(v)));
      return {
        isFile: false,
        isDirectory: true,
        createReader: () => {
          let at = 0;
          return { readEntries: (ok) => setTimeout(() => ok(children.slice(at, ++at)), 0) };
        },
      };
    };
    const usb = folder(tree);
    const drop = new Event('drop', { bubbles: true, cancelable: true });
    Object.defineProperty(drop, 'dataTransfer', { value: { items: [{ webkitGetAsEntry: () => usb }], files: [] } });
    document.querySelector('[data-testid=dropzone]').dispatchEvent(drop);
  }, tree);
}

const countIs = (page, text) => page.waitForFunction(
  (t) => document.querySelector('[data-testid=punch-count]')?.textContent === t, text);

describe('the time clock screen', () => {
  test('joins names, filters, repairs the log and sends the users to the workbench', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const t0 = Date.now();
    const n0 = site.received.length;
    const log = fixture(LOG_D);
    await page.getByTestId('file-input').first().setInputFiles([
      { name: 'user.dat', mimeType: 'application/octet-stream', buffer: USER_DAT },
      { name: '1_attlog.dat', mimeType: 'application/octet-stream', buffer: log },
      { name: 'template.dat', mimeType: 'application/octet-stream', buffer: TEMPLATES },
    ]);
    await page.getByTestId('clock').waitFor();
    await page.getByTestId('user-table').waitFor();
    await page.locator('[data-testid=punch-row]').first().waitFor();

    // user.dat: the record size and why, every user, empty slots counted.
    assert.match(await page.getByTestId('user-dat-summary').innerText(), /^3 users, 1 empty slot .*72-byte records/);
    assert.match(await page.getByTestId('record-why').innerText(), /divides by 72 only/);
    assert.equal(await page.locator('[data-testid=user-table] tbody tr').count(), 3);
    const bob = page.locator('tr[data-user-id="710016"]');
    assert.match(await bob.innerText(), /2\s+710016\s+Bob\s+user\s+no\s+none\s+5001\s+1/);
    // The password only on request.
    assert.equal(await page.getByTestId('password').count(), 0);
    await page.locator('tr[data-user-id="730004"]').getByTestId('show-password').click();
    assert.equal(await page.getByTestId('password').innerText(), '1234');

    // Another code page decodes the names again at once; UTF-8 reads them back.
    await page.getByTestId('code-page').selectOption('windows-1252');
    await page.waitForFunction(() => document.querySelector('tr[data-user-id="710011"]')?.innerText.includes('ZoÃ«'));
    await page.getByTestId('code-page').selectOption('UTF-8');
    await page.waitForFunction(() => document.querySelector('tr[data-user-id="710011"]')?.innerText.includes('Zoë'));
    // The record size overridden: 288 bytes divide by 72, not 28: the other size to try
    // (as the command line says it), not a cut-off record to copy again.
    const why = (text) => page.waitForFunction((t) => document.querySelector('[data-testid=record-why]')?.textContent.includes(t), text);
    await page.getByTestId('record-size').selectOption('28');
    await why('28-byte records, chosen by you');
    const problems = await page.getByTestId('user-unreadable').innerText();
    assert.match(problems, /This does not look like a user\.dat of 28-byte records: its length \(288 bytes\) divides by 72, not by 28.*Try the other record size \(72 bytes\)/);
    assert.ok(!problems.includes('Copy user.dat'), problems);
    await page.getByTestId('record-size').selectOption('');
    await why('divides by 72 only');
    await page.locator('tr[data-user-id="710011"]').waitFor();

    // The punch table: damage in its place, names joined by user ID.
    await countIs(page, '15 rows');
    assert.equal(await page.locator('[data-testid=punch-row][data-user-id="730004"] [data-testid=punch-name]').innerText(), 'Ann');
    assert.equal(await page.locator('[data-testid=punch-row][data-user-id="710011"] [data-testid=punch-name]').innerText(), 'Zoë Lindqvist');
    assert.match(await page.getByTestId('attlog-summary').innerText(), /15 lines: 3 punches, 12 damaged lines/);
    assert.equal(await page.getByTestId('punch-ids-without-user').innerText(), 'Punch user IDs with no user in user.dat: 0', 'line 12 ("ZZ") is erased flash, not a user');

    // Templates per user, and what does not link.
    assert.match(await page.getByTestId('templates-without-user').innerText(), /: 1: uid 40 \(1 record\)$/);
    assert.match(await page.getByTestId('users-without-templates').innerText(), /: 2: uid 1 \(730004\), uid 3 \(710011\)$/);
    const owners = await page.locator('[data-testid=template-table] tbody tr').allInnerTexts();
    assert.deepEqual(owners.map((t) => t.replace(/\s+/g, ' ').trim()), [
      '2 710016 Bob 0: 602 bytes, valid; 5: 602 bytes, valid',
      '40 no user in user.dat 1: 602 bytes, valid',
    ]);

    // Filters: a user by name (the table follows the typing, without Enter), then the
    // damaged lines alone with their line numbers.
    await page.getByTestId('punch-user').pressSequentially('bob');
    await countIs(page, '1 row');
    assert.deepEqual(await page.locator('[data-testid=punch-row]').evaluateAll((rows) => rows.map((r) => r.dataset.userId)), ['710016']);
    await page.getByTestId('punch-user').fill('');
    await page.getByTestId('punch-user').press('Enter');
    await countIs(page, '15 rows');
    await page.getByTestId('punch-from').fill('2020-11-04');
    await countIs(page, '3 rows');
    await page.getByTestId('punch-to').fill('2020-11-03');
    await countIs(page, '0 rows');
    assert.equal(await page.getByTestId('punch-filter-note').innerText(),
      'From 2020-11-04 is after To 2020-11-03: no punch can fall between them; swap the two dates.');
    await page.getByTestId('punch-from').fill('2020-11-04');
    await page.getByTestId('punch-to').fill('2020-11-04');
    await countIs(page, '3 rows');
    await page.getByTestId('punch-from').fill('');
    await page.getByTestId('punch-to').fill('');
    await countIs(page, '15 rows');
    // By status: the three punches are check-ins.
    await page.getByTestId('punch-status').selectOption('1');
    await countIs(page, '0 rows');
    await page.getByTestId('punch-status').selectOption('0');
    await countIs(page, '3 rows');
    assert.match(await page.locator('[data-testid=punch-row]').first().innerText(), /check-in/);
    await page.getByTestId('punch-status').selectOption('');
    await countIs(page, '15 rows');
    await page.getByTestId('punch-damaged').check();
    await countIs(page, '12 rows');
    const lines = await page.locator('[data-testid=damaged-row]').evaluateAll((rows) => rows.map((r) => Number(r.dataset.line)));
    assert.deepEqual(lines, [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    assert.match(await page.locator('[data-testid=damaged-row]').first().innerText(), /Line 4 \(byte \d+\): a record from erased flash/);

    // Repair: the damaged lines go, the good ones are copied byte for byte.
    const repaired = await downloadOf(page, 'download-repaired');
    assert.equal(repaired.name, '1_attlog.dat');
    const kept = log.toString('latin1').split(/(?<=\n)/).filter((_, i) => [0, 1, 2].includes(i));
    assert.deepEqual(repaired.bytes, Buffer.from(kept.join(''), 'latin1'));
    assert.match(await page.getByTestId('repaired').innerText(), /Kept 3 lines; left out 12 damaged lines/);
    // The punches as CSV, names joined.
    const csv = await downloadOf(page, 'download-punches-csv');
    assert.equal(csv.name, '1_attlog_punches.csv');
    assert.deepEqual(csv.bytes.toString('utf8').split('\r\n'), [
      '\ufeffuser_id,name,date,time,status,verify,workcode',
      '730004,Ann,2020-11-04,07:14:03,check-in,fingerprint,0',
      '710016,Bob,2020-11-04,07:14:06,check-in,fingerprint,0',
      '710011,Zoë Lindqvist,2020-11-04,07:14:10,check-in,fingerprint,0',
      '',
    ]);
    // Nothing left out: the file as it came.
    await page.getByTestId('keep-damaged').check();
    const same = await downloadOf(page, 'download-repaired');
    assert.deepEqual(same.bytes, log);

    // user.dat: what 28-byte records cannot hold, per user; the file as read written back.
    await page.getByTestId('write-record').selectOption('28');
    await page.getByTestId('check-fit').click();
    await page.getByTestId('fit-findings').waitFor();
    assert.match(await page.getByTestId('fit-findings').innerText(), /^uid 3 \(710011\): the name "Zoë Lindqvist" takes 14 bytes in UTF-8; the clock holds 8$/);
    await page.getByTestId('write-record').selectOption('72');
    const written = await downloadOf(page, 'write-user-dat');
    assert.equal(written.name, 'user.dat');
    assert.deepEqual(written.bytes, USER_DAT, 'an unmodified user.dat is written back byte for byte');

    // The users to BioStar, and the CSV in the workbench: every row passes.
    await page.getByTestId('to-biostar').click();
    await page.getByTestId('converted').waitFor();
    assert.match(await page.getByTestId('converted').innerText(), /^clock_users_biostar\.csv \(\d+ bytes\): 2 users with/);
    assert.match(await page.getByTestId('carry-notes').innerText(), /uid 1 \(730004\): the password does not carry \(PINs were not asked for\)/);
    assert.match(await page.getByTestId('carry-notes').innerText(), /uid 2 \(710016\): 2 fingerprint templates \(fingers 0, 5\) do not carry: enrol them again on BioStar/);
    const plain = await downloadOf(page, 'download-converted');
    assert.equal(plain.name, 'clock_users_biostar.csv');
    assert.equal(plain.bytes.toString('utf8'), 'user_id,name,csn\r\n730004,Ann,\r\n710016,Bob,5001\r\n710011,Zoë Lindqvist,\r\n');
    // With PINs asked for, Ann's password (4 digits, a valid PIN) carries.
    await page.getByTestId('carry-pins').check();
    await page.getByTestId('to-biostar').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=converted]')?.textContent.includes(': 1 user with'));
    const pins = await downloadOf(page, 'download-converted');
    assert.equal(pins.bytes.toString('utf8'), 'user_id,name,csn,pin\r\n730004,Ann,,1234\r\n710016,Bob,5001,\r\n710011,Zoë Lindqvist,,\r\n');
    await page.getByTestId('converted-to-workbench').click();
    await page.getByTestId('workbench').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid=total-rows] dd')?.textContent === '3');
    const total = async (id) => Number(await page.getByTestId(`total-${id}`).locator('dd').innerText());
    assert.deepEqual([await total('rows'), await total('valid'), await total('errors')], [3, 3, 0]);

    // Back on the clock: the workbench's rows become the users, uids kept.
    await page.getByRole('button', { name: 'Time clock files', exact: true }).click();
    await page.getByTestId('from-workbench').click();
    await page.getByTestId('from-csv').waitFor();
    assert.match(await page.getByTestId('from-csv').innerText(), /0 added, 0 updated, 3 in all/);
    assert.match(await page.locator('tr[data-user-id="710016"]').innerText(), /^2\s+710016\s+Bob/);

    assert.deepEqual(site.received.slice(n0), [], 'the server received nothing');
    const outside = b.requests.filter((r) => !r.url.startsWith('http://127.0.0.1:') && !r.url.startsWith('blob:'));
    assert.deepEqual(outside, [], 'no request left 127.0.0.1');
    assert.deepEqual(b.requests.filter((r) => r.at > t0 && !r.url.startsWith('blob:')), []);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('users of the user.dat that the workbench\'s CSV does not list are counted and named before writing', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    await page.getByTestId('file-input').first().setInputFiles([{ name: 'user.dat', mimeType: 'application/octet-stream', buffer: USER_DAT }]);
    await page.getByTestId('user-table').waitFor();
    // The CSV lists Bob only, renamed.
    await page.getByRole('button', { name: 'BioStar user CSV', exact: true }).click();
    await page.getByTestId('file-input').first().setInputFiles({ name: 'leavers.csv', mimeType: 'text/csv', buffer: Buffer.from('user_id,name\r\n710016,Robert\r\n') });
    await page.getByTestId('workbench').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid=total-rows] dd')?.textContent === '1');
    await page.getByRole('button', { name: 'Time clock files', exact: true }).click();
    await page.getByTestId('from-workbench').click();
    await page.getByTestId('from-csv').waitFor();
    assert.match(await page.getByTestId('from-csv').innerText(), /0 added, 1 updated, 2 kept that the CSV does not list, 3 in all/);
    const kept = await page.getByTestId('kept-users').innerText();
    assert.match(kept, /730004/);
    assert.match(kept, /710011/);
    assert.doesNotMatch(kept, /710016/);
    assert.match(await page.locator('tr[data-user-id="710016"]').innerText(), /^2\s+710016\s+Robert/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('with no clock files, a BioStar CSV becomes a user.dat in the code page chosen, checked as it is written', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    await page.getByTestId('file-input').first().setInputFiles({ name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from('user_id,name,csn\r\n1,张伟,\r\n2,王秀英王秀英王秀英王秀,70000\r\n') });
    await page.getByTestId('workbench').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid=total-rows] dd')?.textContent === '2');
    await page.getByRole('button', { name: 'Time clock files', exact: true }).click();
    await page.getByTestId('clock-start').waitFor();
    await page.getByTestId('start-code-page').selectOption('windows-1252');
    await page.getByTestId('start-from-workbench').click();
    await page.getByTestId('from-csv').waitFor();
    assert.match(await page.getByTestId('from-csv').innerText(), /Users from staff\.csv: 2 added, 0 updated, 2 in all/);
    assert.match(await page.getByTestId('fit-count').innerText(), /^2 users do not fit/, 'Chinese has no form in Windows-1252');
    // The clock is GBK after all: the users are taken again in it, none lost.
    await page.getByTestId('code-page').selectOption('GBK');
    await page.waitForFunction(() => document.querySelector('[data-testid=code-page]')?.value === 'GBK'
      && !document.querySelector('[data-testid=fit-count]'));
    assert.match(await page.getByTestId('user-dat-summary').innerText(), /^2 users/);
    await page.getByTestId('check-fit').click();
    await page.getByTestId('fit-ok').waitFor();
    const written = await downloadOf(page, 'write-user-dat');
    const gbk = (hex) => Buffer.from(hex, 'hex');
    assert.equal(written.bytes.length, 144);
    assert.deepEqual(written.bytes.subarray(11, 15), gbk('d5c5ceb0'), '张伟 in GBK');
    assert.equal(written.bytes.readUInt32LE(72 + 35), 70000, 'the card');
    assert.equal(written.bytes.subarray(72 + 11, 72 + 11 + 22).length, 22);
    assert.equal(written.bytes[72 + 11 + 22], 0, 'the 22-byte GBK name fits with its NUL');

    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the check before writing names the cards of the CSV that no record can hold, as the write does', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    await page.getByTestId('file-input').first().setInputFiles({ name: 'cards.csv', mimeType: 'text/csv', buffer: Buffer.from('user_id,name,csn\r\n1,Ann,0x1A2B\r\n2,Bob,99999999999999999999\r\n3,Cy,42\r\n') });
    await page.waitForFunction(() => document.querySelector('[data-testid=total-rows] dd')?.textContent === '3');
    await page.getByRole('button', { name: 'Time clock files', exact: true }).click();
    await page.getByTestId('start-from-workbench').click();
    await page.getByTestId('fit-count').waitFor();
    // Another record size and back clears what was said; the check alone says it again.
    await page.getByTestId('write-record').selectOption('28');
    await page.getByTestId('write-record').selectOption('72');
    assert.equal(await page.getByTestId('fit-count').count(), 0);
    await page.getByTestId('check-fit').click();
    await page.locator('[data-testid=fit-count], [data-testid=fit-ok]').first().waitFor();
    assert.match(await page.getByTestId('fit-count').innerText(), /^2 users do not fit 72-byte records/);
    const found = await page.getByTestId('fit-findings').innerText();
    assert.match(found, /card "0x1A2B" is not a plain number/);
    assert.match(found, /card 99999999999999999999 is above 4294967295/);
    // The user table shows such a card as given, marked, not as a blank.
    const card = (id) => page.locator(`tr[data-user-id="${id}"] td`).nth(6).innerText();
    assert.equal(await card('1'), '"0x1A2B" (not a card number: see the notes)');
    assert.equal(await card('3'), '42');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the BioStar conversion names what the import check would refuse, by the line of the CSV it writes', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    // A name that needs quotes and takes two lines, a card twice, a user ID twice.
    const dat = Buffer.concat([
      record72({ uid: 1, name: 'Ann "Nan"\nLee', userId: '1001', card: 5001 }),
      record72({ uid: 2, name: 'Bob', userId: '1002', card: 5001 }),
      record72({ uid: 3, name: 'Cy', userId: '1001' }),
    ]);
    await page.getByTestId('file-input').first().setInputFiles([
      { name: 'user.dat', mimeType: 'application/octet-stream', buffer: dat },
    ]);
    await page.getByTestId('user-table').waitFor();
    await page.getByTestId('to-biostar').click();
    await page.getByTestId('converted').waitFor();
    assert.match(await page.getByTestId('converted').innerText(), /^clock_users_biostar\.csv \(\d+ bytes\): 3 users with/);
    const notes = await page.getByTestId('carry-notes').innerText();
    assert.match(notes, /uid 1 \(1001\):\s+BioStar import check: Line 2, column "name" \(B\): “Ann "Nan"\\nLee” has a line break inside it/);
    // Ann's four findings, a list item each.
    assert.equal(await page.locator('[data-testid=carry-notes] > li').first().locator('li').count(), 4);
    assert.match(notes, /uid 2 \(1002\): BioStar import check: Line 4, column "csn" \(C\): card "5001" is also on line 2/);
    assert.match(notes, /uid 3 \(1001\): BioStar import check: Line 5, column "user_id" \(A\): user ID "1001" is also on line 2/);
    const csv = await downloadOf(page, 'download-converted');
    assert.equal(csv.bytes.toString('utf8'), 'user_id,name,csn\r\n1001,"Ann ""Nan""\nLee",5001\r\n1002,Bob,5001\r\n1001,Cy,\r\n');
    // The notes as a CSV, a row per note.
    const notesCsv = await downloadOf(page, 'carry-notes-download');
    assert.equal(notesCsv.name, 'clock_users_biostar_notes.csv');
    const rows = notesCsv.bytes.toString('utf8').split('\r\n');
    assert.equal(rows[0], '\ufeffuid,user_id,note');
    assert.equal(rows.length, 1 + 6 + 1, 'four notes for Ann, one each for Bob and Cy, and the last line end');
    assert.equal(rows[5], '2,1002,"BioStar import check: Line 4, column ""csn"" (C): card ""5001"" is also on line 2; a card belongs to one user. Remove it from one of the rows."');
    assert.equal(await page.getByTestId('carry-notes-more').count(), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a user disabled on the clock is left out of the BioStar CSV and named, unless included', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const gone = record72({ uid: 2, name: 'Gone', userId: '102' });
    gone[2] = 1; // privilege bit 0: disabled
    const dat = Buffer.concat([record72({ uid: 1, name: 'Ann', userId: '101' }), gone]);
    await page.getByTestId('file-input').first().setInputFiles([
      { name: 'user.dat', mimeType: 'application/octet-stream', buffer: dat },
    ]);
    await page.getByTestId('user-table').waitFor();
    await page.getByTestId('to-biostar').click();
    await page.getByTestId('converted').waitFor();
    assert.match(await page.getByTestId('converted').innerText(), /1 user disabled on the clock was left out \(named in the notes\)/);
    assert.match(await page.getByTestId('carry-notes').innerText(), /uid 2 \(102\): left out of the CSV: disabled on the clock/);
    assert.match(await page.getByTestId('carry-notes').innerText(), /\(it would arrive enabled\); ticking "Include users disabled on the clock" carries it, enabled$/);
    let csv = await downloadOf(page, 'download-converted');
    assert.equal(csv.bytes.toString('utf8'), 'user_id,name,csn\r\n101,Ann,\r\n');
    await page.getByTestId('include-disabled').check();
    await page.getByTestId('to-biostar').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid=converted]')?.textContent.includes('left out'));
    assert.match(await page.getByTestId('carry-notes').innerText(), /uid 2 \(102\): disabled on the clock; BioStar gets the user enabled/);
    csv = await downloadOf(page, 'download-converted');
    assert.equal(csv.bytes.toString('utf8'), 'user_id,name,csn\r\n101,Ann,\r\n102,Gone,\r\n');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('an attlog saved with a UTF-8 BOM is said at byte 0, its first punch read as user 101', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const lines = '      101\t2024-03-01 08:00:00\t1\t0\t1\t0\r\n';
    await page.getByTestId('file-input').first().setInputFiles([
      { name: '1_attlog.dat', mimeType: 'application/octet-stream', buffer: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines)]) },
    ]);
    const row = page.locator('[data-testid=punch-row]').first();
    await row.waitFor();
    assert.match(await page.getByTestId('attlog-summary').innerText(), /Byte 0: a UTF-8 byte order mark \(EF BB BF\)/);
    const text = await row.innerText();
    assert.match(text, /^1\s+101\s+2024-03-01/);
    assert.ok(!text.includes('\ufeff'), text);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a conversion with notes on hundreds of users lists the first 200 and downloads them all', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    // 250 users whose passwords are not PINs (a note each), a euro sign in each name.
    const dat = Buffer.concat(Array.from({ length: 250 }, (_, i) =>
      record72({ uid: i + 1, name: `User€${i + 1}`, userId: String(5000 + i), password: 'ab' })));
    await page.getByTestId('file-input').first().setInputFiles([
      { name: 'user.dat', mimeType: 'application/octet-stream', buffer: dat },
    ]);
    await page.getByTestId('user-table').waitFor();
    await page.getByTestId('to-biostar').click();
    await page.getByTestId('carry-notes').waitFor();
    assert.match(await page.getByTestId('converted').innerText(), /: 250 users with something that does not carry/);
    assert.equal(await page.locator('[data-testid=carry-notes] > li').count(), 200);
    assert.equal(await page.getByTestId('carry-notes-more').innerText(), 'The first 200 of 250 users are listed; the download has them all.');
    const rows = (await downloadOf(page, 'carry-notes-download')).bytes.toString('utf8').trimEnd().split('\r\n');
    assert.equal(rows.length, 1 + 2 * 250, 'the password and the euro sign, for each user');
    assert.equal(rows[499], '250,5249,"the password is not 4 to 16 digits, so not a valid BioStar PIN; it does not carry"');
    assert.match(rows[500], /^250,5249,"BioStar import check: Line 251, column ""name"" \(B\): ""User€250"" has characters/);
    // Read in a code page their names are not in: a problem per user, the first 200 listed.
    await page.getByTestId('code-page').selectOption('EUC-KR');
    await page.getByTestId('user-problems-more').waitFor();
    assert.equal(await page.getByTestId('user-problems-more').innerText(), '... and 50 more');
    assert.equal(await page.locator('[data-testid=user-problems] li').count(), 201);
    assert.match(await page.locator('[data-testid=user-problems] li').first().innerText(), /^Byte 11 \(record 1, uid 1\): 2 byte sequences of the name did not decode as EUC-KR/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a log of 300,000 lines: only the visible rows are in the page, in file order, filtered in the worker', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const two = (n) => String(n).padStart(2, '0');
    const lines = [];
    for (let i = 1; i <= 300_000; i++) {
      if (i % 30_000 === 0) {
        lines.push('ZZZZZZZZZZ\t2047-02-30 19:13:30\t1\t90\t90\t1515870810\n');
        continue;
      }
      if (i % 1000 === 500) {
        lines.push(lines[lines.length - 1]); // an exact repeat of the line before
        continue;
      }
      const s = i % 86_400;
      const time = `2021-03-${two(1 + Math.floor(i / 86_400))} ${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
      lines.push(`${String(i).padStart(9)}\t${time}\t1\t0\t1\t0\n`);
    }
    // About 11.4 MB: read in two slices, the second read ahead while the first is parsed.
    const log = Buffer.from(lines.join(''));
    await page.getByTestId('file-input').first().setInputFiles({ name: '1_attlog.dat', mimeType: 'application/octet-stream', buffer: log });
    await page.locator('[data-testid=punch-row]').first().waitFor({ timeout: 60_000 });
    await countIs(page, '300,000 rows');
    assert.match(await page.getByTestId('attlog-summary').innerText(), /300,000 lines: 299,990 punches, 10 damaged lines/);
    const inDom = await page.locator('.punch-grid .grid-row').count();
    assert.ok(inDom > 10 && inDom < 200, `only a window of rows is in the DOM (${inDom})`);

    // Row 150,000 is line 150,001; row 89,999 is the damaged line 90,000.
    await page.getByTestId('punch-grid').evaluate((g) => { g.scrollTop = 150_000 * 34; g.dispatchEvent(new Event('scroll')); });
    const row = page.locator('.grid-row[data-row="150000"]');
    await row.waitFor();
    assert.equal(await row.getAttribute('data-user-id'), '150001');
    assert.ok((await page.locator('.punch-grid .grid-row').count()) < 200);
    await page.getByTestId('punch-grid').evaluate((g) => { g.scrollTop = 89_990 * 34; g.dispatchEvent(new Event('scroll')); });
    await page.locator('.grid-row[data-row="89999"][data-line="90000"]').waitFor();

    // Filters run in the worker over every punch.
    await page.getByTestId('punch-user').fill('150001');
    await page.getByTestId('punch-user').press('Enter');
    await countIs(page, '1 row');
    await page.getByTestId('punch-user').fill('');
    await page.getByTestId('punch-user').press('Enter');
    await page.getByTestId('punch-damaged').check();
    await countIs(page, '10 rows');
    const damaged = await page.locator('[data-testid=damaged-row]').evaluateAll((r) => r.map((x) => Number(x.dataset.line)));
    assert.deepEqual(damaged, Array.from({ length: 10 }, (_, i) => (i + 1) * 30_000));

    // The repair is made of the file's own ranges between the 10 damaged lines: every good
    // line byte for byte, the damaged ones gone.
    const repaired = await downloadOf(page, 'download-repaired');
    assert.equal(repaired.bytes.length, log.length - 10 * 50);
    assert.ok(repaired.bytes.equals(Buffer.from(lines.filter((l) => !l.startsWith('ZZ')).join(''))));
    await page.getByTestId('keep-damaged').check();
    assert.ok((await downloadOf(page, 'download-repaired')).bytes.equals(log));

    // The 300 repeats left out too: more ranges than slices of the file are worth, so the
    // file is read again (ahead, on the read-ahead workers) and each slice's kept ranges
    // copied into the download.
    const repeat = (k) => (k + 1) % 1000 === 500;
    await page.getByTestId('remove-duplicates').check();
    const once = await downloadOf(page, 'download-repaired');
    assert.ok(once.bytes.equals(Buffer.from(lines.filter((l, k) => !repeat(k)).join(''))));
    assert.match(await page.getByTestId('repaired').innerText(), /left out 0 damaged lines, 0 blank lines and 300 duplicates/);
    await page.getByTestId('remove-damaged').check();
    const both = await downloadOf(page, 'download-repaired');
    const clean = lines.filter((l, k) => !repeat(k) && !l.startsWith('ZZ'));
    assert.ok(both.bytes.equals(Buffer.from(clean.join(''))));
    assert.match(await page.getByTestId('repaired').innerText(), /Kept 299,690 lines; left out 10 damaged lines, 0 blank lines and 300 duplicates/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a dropped USB folder opens every file in it, sub-folders included, as one set', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    await dropFolder(page, usbFolder());
    await usbSetShown(page);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a USB folder dragged from disk onto the page opens as one set', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    await dropPaths(page, page.getByTestId('dropzone'), [usbOnDisk()]);
    await usbSetShown(page);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a readme in a dropped USB folder is listed as not read beside the clock set, not opened as a CSV', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    await dropFolder(page, {
      ...usbFolder(),
      'readme.txt': Buffer.from('Copied from the clock on Monday.\r\nKeep this stick in the office.\r\n').toString('base64'),
    });
    await page.getByTestId('clock-templates').waitFor();
    await page.getByTestId('workflow-time-clock').waitFor();
    assert.equal(await page.getByTestId('file-card').count(), 3);
    assert.equal(await page.locator('[data-testid=unknown-files] li').innerText(), "readme.txt: readme.txt came with a time clock's files but is none of them, nor a user CSV export (the file is text, but its lines are not separated into columns by commas, semicolons or tabs): it is not read. To work on it as a user CSV, open it on its own.");
    assert.doesNotMatch(await page.getByTestId('workflow-time-clock').innerText(), /open in BioStar user CSV/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the folder picker opens a USB folder, sub-folders included, as one set', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    await page.getByTestId('open-time-clock').click();
    await page.getByTestId('folder-input').setInputFiles(usbOnDisk());
    await usbSetShown(page);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('dropped files (no folder) open as they are', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    await page.evaluate(({ users, log }) => {
      const file = (name, b64) => new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name);
      const data = new DataTransfer();
      data.items.add(file('user.dat', users));
      data.items.add(file('1_attlog.dat', log));
      const drop = new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: data });
      document.querySelector('[data-testid=dropzone]').dispatchEvent(drop);
    }, { users: USER_DAT.toString('base64'), log: fixture(LOG_D).toString('base64') });
    await page.getByTestId('attlog-summary').waitFor();
    assert.equal(await page.getByTestId('file-card').count(), 2);
    assert.match(await page.getByTestId('user-dat-summary').innerText(), /^3 users/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('of two attendance logs the last added opens, and the other can be picked instead', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const small = Buffer.from('   730004\t2024-01-02 08:00:01\t1\t0\t1\t0\r\n   710016\t2024-01-02 08:03:01\t1\t0\t1\t0\r\n');
    await page.getByTestId('file-input').first().setInputFiles([
      { name: 'user.dat', mimeType: 'application/octet-stream', buffer: USER_DAT },
      { name: '1_attlog.dat', mimeType: 'application/octet-stream', buffer: fixture(LOG_D) },
      { name: '2_attlog.dat', mimeType: 'application/octet-stream', buffer: small },
    ]);
    await page.getByTestId('attlog-summary').waitFor();
    const choice = page.getByTestId('set-choice');
    assert.match(await page.getByTestId('set-choices').innerText(), /a set holds one of each/);
    const logD = `1_attlog.dat (${fixture(LOG_D).length} bytes)`;
    assert.equal(await choice.evaluate((s) => s.selectedOptions[0].textContent), `2_attlog.dat (${small.length} bytes)`);
    assert.match(await page.getByTestId('attlog-summary').innerText(), /^2 lines: 2 punches/);
    await choice.selectOption({ label: logD });
    await page.waitForFunction(() => !document.querySelector('[data-testid=attlog-summary]')?.textContent.startsWith('2 lines: 2 punches'));
    await page.getByTestId('attlog-summary').waitFor();
    assert.doesNotMatch(await page.getByTestId('attlog-summary').innerText(), /^2 lines: 2 punches/);
    assert.equal(await choice.evaluate((s) => s.selectedOptions[0].textContent), logD);
    assert.match(await page.getByTestId('user-dat-summary').innerText(), /^3 users/, 'the user.dat is still in the set');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a log of 1,100,000 lines (37 million pixels of rows, past what a browser lays out): the scroll range is shared out, and its end shows the last line', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const dir = scratchDir('clock');
    const lines = [];
    for (let i = 1; i <= 1_100_000; i++) lines.push(`${i}\t2021-03-01 08:00:00\t1\t0\t1\t0\n`);
    writeFileSync(join(dir, '1_attlog.dat'), lines.join(''));
    try {
      await page.getByTestId('file-input').first().setInputFiles(join(dir, '1_attlog.dat'));
      await page.locator('[data-testid=punch-row]').first().waitFor({ timeout: 60_000 });
      await countIs(page, '1,100,000 rows');
      const grid = page.getByTestId('punch-grid');
      // The row just under the sticky header.
      const topRow = () => grid.evaluate((g) => {
        g.scrollIntoView({ block: 'center' });
        const box = g.getBoundingClientRect();
        const head = g.querySelector('.grid-head').getBoundingClientRect();
        return Number(document.elementFromPoint(box.left + 150, head.bottom + 5)?.closest('.grid-row')?.dataset.row);
      });
      await grid.evaluate((g) => { g.scrollTop = g.scrollHeight; g.dispatchEvent(new Event('scroll')); });
      const last = page.locator('.grid-row[data-row="1099999"]');
      await last.waitFor();
      const [lastBox, gridBox] = [await last.boundingBox(), await grid.boundingBox()];
      assert.ok(lastBox.y + lastBox.height <= gridBox.y + gridBox.height + 1, 'the last line is in view, whole');
      assert.equal(await last.getAttribute('data-user-id'), '1100000');
      await grid.evaluate((g) => { g.scrollTop = (g.scrollHeight - g.clientHeight) / 2; g.dispatchEvent(new Event('scroll')); });
      await page.waitForFunction(() => document.querySelector('.punch-grid .grid-row[data-row="549990"]'));
      const middle = await topRow();
      assert.ok(Math.abs(middle - 549_990) < 20, `half way down shows row ${middle}`);
      assert.ok((await page.locator('.punch-grid .grid-row').count()) < 200);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });
  test('a copy of a user.dat opens with its findings; punch IDs are read in the clock\'s code page', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const copy = Buffer.concat([
      record72({ uid: 1, name: 'Ann', userId: '1001' }),
      record72({ uid: 2, name: 'Bob', userId: '1002' }),
      record72({ uid: 3, name: 'X'.repeat(23), userId: 'A'.repeat(24) }),
    ]);
    await page.getByTestId('file-input').first().setInputFiles({ name: 'user (1).dat', mimeType: 'application/octet-stream', buffer: copy });
    await page.getByTestId('user-table').waitFor();
    assert.equal(await page.locator('[data-testid=user-table] tbody tr').count(), 3);
    assert.match(await page.locator('[data-testid=user-problems] li').first().innerText(), /^Byte 192 \(record 3, uid 3\): the user ID fills all 24 bytes/);
    await page.close();

    const clock = await openApp(b.context, site.url);
    const kim = record72({ uid: 1, name: 'Kim', userId: '' });
    Buffer.from([0xb1, 0xe8, 0xc3, 0xb6]).copy(kim, 48);
    const line1 = Buffer.concat([Buffer.from('  '), Buffer.from([0xb1, 0xe8, 0xc3, 0xb6]), Buffer.from('\t2024-03-01 17:00:00\t1\t1\t2\t0\r\n')]);
    const line2 = Buffer.concat([Buffer.from('  '), Buffer.from([0xff, 0xb1]), Buffer.from('\t2024-03-01 17:00:01\t1\t1\t2\t0\r\n')]);
    await clock.page.getByTestId('file-input').first().setInputFiles([
      { name: 'user.dat', mimeType: 'application/octet-stream', buffer: kim },
      { name: '1_attlog.dat', mimeType: 'application/octet-stream', buffer: Buffer.concat([line1, line2]) },
    ]);
    await clock.page.locator('[data-testid=punch-row]').first().waitFor();
    assert.equal(await clock.page.locator('fieldset.repair legend').innerText(), 'Repair the log');
    // Read as UTF-8, the user ID's bytes are counted in the plural; read in its code page,
    // no sentence counts none.
    assert.equal(await clock.page.getByTestId('undecodable').innerText(), '2 byte sequences of the names and user IDs did not decode as UTF-8, shown as \uFFFD. Choose the clock\'s code page.');
    await clock.page.getByTestId('code-page').selectOption('EUC-KR');
    await clock.page.locator('tr[data-user-id="김철"]').waitFor();
    assert.equal(await clock.page.getByTestId('undecodable').count(), 0);
    const csv = (await downloadOf(clock.page, 'download-punches-csv')).bytes.toString('utf8');
    assert.match(csv, /김철,Kim,2024-03-01,17:00:00/);
    const said = clock.page.getByTestId('punches-undecodable');
    await said.waitFor();
    assert.match(await said.innerText(), /^User IDs that did not decode in the clock's code page \(choose it under user\.dat\), shown as \uFFFD in the CSV: 1 punch\./);
    assert.match(await said.locator('li').first().innerText(), /^Line 2 \(byte 36\): 2 byte sequences of the user ID did not decode as EUC-KR/);
    assert.deepEqual([...errors, ...clock.errors], []);
    await clock.page.close();
  });

  test('random bytes named user.dat are said to be no clock users before them, and nothing is converted from them', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const noise = (len) => Buffer.from(Array.from({ length: len }, (_, i) => Number((BigInt(i) * 2654435761n) >> 13n) & 0xff));
    await page.getByTestId('file-input').first().setInputFiles({ name: 'user.dat', mimeType: 'application/octet-stream', buffer: noise(1008) });
    await page.getByTestId('user-table').waitFor();
    const said = page.getByTestId('user-unreadable');
    assert.match(await said.innerText(), /^This does not look like a user\.dat from a clock: \d+ of \d+ records read as \d+-byte users are not user records/);
    assert.match(await said.innerText(), /they are not converted to BioStar or written to a user\.dat, as on the command line/);
    const before = await page.evaluate(() => {
      const [w, t] = ['user-unreadable', 'user-table'].map((id) => document.querySelector(`[data-testid=${id}]`));
      return Boolean(w.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    assert.ok(before, 'the warning comes before the users');
    for (const id of ['to-biostar', 'check-fit', 'write-user-dat']) {
      assert.ok(await page.getByTestId(id).isDisabled(), id);
    }
    assert.match(await page.getByTestId('convert-refused').innerText(), /^Nothing is converted/);
    assert.deepEqual(errors, []);
    await page.close();

    const cut = await openApp(b.context, site.url);
    await cut.page.getByTestId('file-input').first().setInputFiles({ name: 'user.dat', mimeType: 'application/octet-stream', buffer: noise(1000) });
    await cut.page.getByTestId('user-table').waitFor();
    const text = await cut.page.locator('body').innerText();
    assert.match(text, /not a user\.dat/);
    assert.ok(!text.includes('The file is truncated'), text);
    await cut.page.close();
  });

  test('a CSV row that a later row of its user ID replaces keeps its own findings, and a row without an ID is named by its line', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const csv = 'user_id,name,csn\r\n202,김철수김철수김철수,123\r\n202,Dup,124\r\n,NoID,1\r\n';
    await page.getByTestId('file-input').first().setInputFiles({ name: 'new.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('workbench').waitFor();
    await page.getByRole('button', { name: 'Time clock files', exact: true }).click();
    await page.getByTestId('start-from-workbench').click();
    await page.getByTestId('fit-findings').waitFor();
    const items = await page.locator('[data-testid=fit-findings] > li').allInnerTexts();
    assert.equal(items.length, 3, items.join('\n'));
    assert.match(items[0], /^line 2 of the CSV, uid 1 \(202\):\s/);
    assert.match(items[0], /line 3 has the same user ID/);
    assert.match(items[0], /the name "김철수김철수김철수" takes 27 bytes in UTF-8; the clock holds 23/);
    assert.match(items[1], /^line 3 of the CSV, uid 1 \(202\): line 2 has the same user ID/);
    assert.equal(items[2], 'line 4 of the CSV, no user ID: not taken, as the row has no user ID; fill it in or delete the row');
    // Three notes, two users: 202 (its row and the one that replaced it) and the row without an ID.
    assert.match(await page.getByTestId('fit-count').innerText(), /^2 users do not fit 72-byte records/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('past 200 notes, the count under the list names entries and the users they are on', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const long = 'N'.repeat(30);
    const rows = Array.from({ length: 201 }, (_, i) => `${i + 1},${long},${i + 1}\r\n`).join('');
    const csv = `user_id,name,csn\r\n${rows}7,Again,9\r\n`;
    await page.getByTestId('file-input').first().setInputFiles({ name: 'many.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('workbench').waitFor();
    await page.getByRole('button', { name: 'Time clock files', exact: true }).click();
    await page.getByTestId('start-from-workbench').click();
    await page.getByTestId('fit-findings').waitFor();
    assert.equal(await page.locator('[data-testid=fit-findings] > li').count(), 200);
    assert.equal(await page.getByTestId('fit-findings-more').innerText(),
      'The first 200 of 202 entries (on 201 users) are listed; the download has them all.');
    assert.match(await page.getByTestId('fit-count').innerText(), /^201 users do not fit 72-byte records/);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

// End-to-end: the CSV workbench in Debian's Chromium, as an administrator uses it.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openApp, useSiteAndBrowser } from './helpers.mjs';

let site;
let b;
useSiteAndBrowser((s, browser) => { [site, b] = [s, browser]; });

// A sheet from HR: a title line before the header, Korean text, a column BioStar does not
// know, an expiry past the site's limit, a name the live server rejects, a bad user ID.
const HR_SHEET = [
  'Exported from HR,,,,,,',
  'User ID,Name,Department,Card No,Start Date,End Date,Badge Color',
  '1,김철수,인사,1001,2024-01-01 09:00,2030-12-31 23:59,red',
  '2,Ann Lee,IT,1002,2024-01-01 09:00,2040-12-31 23:59,blue',
  '3,Bob@Home,Sales,1003,2024-01-01 09:00,2030-12-31 23:59,green',
  'abc,Zoë,IT,1004,2024-01-01 09:00,2030-12-31 23:59,',
  '5,Park Min,"R&D, Lab",1005,2024-01-01 09:00,2030-12-31 23:59,grey',
].join('\r\n') + '\r\n';

async function downloadOf(page, testId) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
}

/** Opens `text` as the CSV file `name` and waits for its summary. */
async function openCsv(page, name, text) {
  await page.getByTestId('file-input').first().setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
  await page.getByTestId('csv-summary').waitFor();
}

/**
 * Opens `incoming` as new.csv and merges it with `existing` as server.csv; a reader of the
 * merge's counts by id.
 */
async function openMerge(page, incoming, existing) {
  await openCsv(page, 'new.csv', incoming);
  await page.getByTestId('merge-panel').locator('summary').click();
  await page.getByTestId('existing-input').setInputFiles({ name: 'server.csv', mimeType: 'text/csv', buffer: Buffer.from(existing) });
  await page.getByTestId('merge-counts').waitFor();
  return async (id) => Number(await page.getByTestId(`merge-${id}`).locator('dd').innerText());
}

async function totals(page) {
  const read = async (id) => Number(await page.getByTestId(`total-${id}`).locator('dd').innerText());
  return { rows: await read('rows'), valid: await read('valid'), errors: await read('errors') };
}

describe('the CSV workbench', () => {
  test('finds the problems, remaps, fixes a cell, and writes the import and error files', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const t0 = Date.now();
    const n0 = site.received.length;
    await page.getByTestId('file-input').first().setInputFiles({ name: 'hr.csv', mimeType: 'text/csv', buffer: Buffer.from(HR_SHEET) });
    await page.getByTestId('workbench').waitFor();
    await page.getByTestId('csv-summary').waitFor();

    // The header was found on line 2, under the title line.
    const headerRadio = page.locator('input[name=header-row]:checked');
    assert.equal(await headerRadio.getAttribute('id'), 'header-row-1');
    // Columns were mapped by their common names.
    const mapped = async (header) => page.locator(`tr[data-column="${header}"] select`).inputValue();
    assert.equal(await mapped('User ID'), 'user_id');
    assert.equal(await mapped('Card No'), 'csn');
    assert.equal(await mapped('End Date'), 'expiry_datetime');
    assert.equal(await mapped('Badge Color'), '', 'an unknown column is not mapped');
    assert.deepEqual(await totals(page), { rows: 5, valid: 0, errors: 5 }, 'the unknown column fails every row');

    // Remap: ignore the column the server would reject.
    await page.locator('tr[data-column="Badge Color"] select').selectOption('');
    await page.waitForFunction(() => document.querySelector('[data-testid=total-valid] dd')?.textContent === '2');
    assert.deepEqual(await totals(page), { rows: 5, valid: 2, errors: 3 });

    // The rows with errors, and what is wrong with line 4.
    await page.getByTestId('row-filter').selectOption('errors');
    await page.waitForFunction(() => document.querySelector('[data-testid=row-count]')?.textContent === '3 rows');
    const row4 = page.locator('.grid-row[data-line="4"]');
    await row4.locator('.cell.line').click();
    const detail = await page.getByTestId('row-detail').innerText();
    assert.match(detail, /End Date/);
    assert.match(detail, /2037-12-31/, 'the message names the limit to stay under');

    // Fix the cell in place: the row is checked again at once.
    await row4.locator('[data-col="5"]').click();
    const editor = page.getByTestId('cell-editor');
    await editor.fill('2030-12-31 23:59');
    await editor.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid=total-valid] dd')?.textContent === '3');
    await page.waitForFunction(() => document.querySelector('[data-testid=row-count]')?.textContent === '2 rows');
    assert.deepEqual(await totals(page), { rows: 5, valid: 3, errors: 2 });

    // The import file: valid rows, BioStar headers, UTF-8 without BOM, CRLF.
    const imp = await downloadOf(page, 'download-import');
    assert.equal(imp.name, 'hr_import.csv');
    const expectedImport = [
      'user_id,name,department,csn,start_datetime,expiry_datetime',
      '1,김철수,인사,1001,2024-01-01 09:00,2030-12-31 23:59',
      '2,Ann Lee,IT,1002,2024-01-01 09:00,2030-12-31 23:59',
      '5,Park Min,"R&D, Lab",1005,2024-01-01 09:00,2030-12-31 23:59',
    ].join('\r\n') + '\r\n';
    assert.equal(imp.bytes.toString('utf8'), expectedImport);
    assert.ok(imp.bytes.equals(Buffer.from(expectedImport, 'utf8')), 'byte for byte');
    // Every row with data, errors included, under a name of its own.
    const all = await downloadOf(page, 'download-import-all');
    assert.equal(all.name, 'hr_import_all_rows.csv');
    assert.equal(all.bytes.toString('utf8').split('\r\n').length, 1 + 5 + 1, 'the header, 5 rows, the last line end');

    // The error file: the rows with errors, all their cells as read, and Error_Description;
    // UTF-8 with BOM and CRLF, like the server's own.
    const err = await downloadOf(page, 'download-errors');
    assert.equal(err.name, 'hr_errors.csv');
    assert.deepEqual([...err.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with a UTF-8 BOM');
    const lines = err.bytes.subarray(3).toString('utf8').split('\r\n');
    assert.equal(lines.at(-1), '', 'every line ends with CRLF');
    assert.equal(lines[0], 'User ID,Name,Department,Card No,Start Date,End Date,Badge Color,Error_Description');
    assert.equal(lines.length, 4);
    assert.ok(lines[1].startsWith('3,Bob@Home,Sales,1003,2024-01-01 09:00,2030-12-31 23:59,green,'), lines[1]);
    assert.match(lines[1], /Name/i);
    assert.ok(lines[2].startsWith('abc,Zoë,IT,1004,2024-01-01 09:00,2030-12-31 23:59,,'), lines[2]);
    assert.match(lines[2], /user ?id/i);

    // Nothing left the page.
    assert.deepEqual(site.received.slice(n0), [], 'the server received nothing');
    assert.deepEqual(b.requests.filter((r) => r.at > t0 && !r.url.startsWith('blob:')), []);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('merges with the server export: keep by default, overwrite one user, see the diff', async () => {
    const { page } = await openApp(b.context, site.url);
    const count = await openMerge(page,
      'user_id,name,department\r\n1,Kim,HR\r\n2,Lee,IT\r\n3,Park,Sales\r\n',
      'user_id,name,department\r\n1,Kim,HR\r\n2,Lee,Finance\r\n4,Choi,Legal\r\n');
    // The file's users, each counted once: 3 new, 2 kept (it differs), 1 the same.
    assert.equal(await count('new'), 1);
    assert.equal(await count('kept'), 1);
    assert.equal(await count('overwritten'), 0);
    assert.equal(await count('errors'), 0);
    assert.equal(await count('identical'), 1);
    assert.equal(await count('untouched'), 1);
    assert.equal(await count('import'), 1, 'by default the stored user 2 is kept: only user 3 is imported');
    const diff = page.locator('.diff[data-user="2"]');
    await diff.waitFor();
    const change = await diff.locator('.changes tbody tr').innerText();
    assert.match(change, /Finance/);
    assert.match(change, /IT/);

    let imp = await downloadOf(page, 'download-import');
    assert.equal(imp.bytes.toString('utf8'), 'user_id,name,department\r\n3,Park,Sales\r\n');

    // Overwrite user 2 only.
    await diff.locator('select').selectOption('overwrite');
    await page.waitForFunction(() => document.querySelector('[data-testid=merge-import] dd')?.textContent === '2');
    assert.equal(await count('overwritten'), 1);
    assert.equal(await count('kept'), 0, 'user 1, the same, is neither kept nor overwritten');
    imp = await downloadOf(page, 'download-import');
    assert.equal(imp.bytes.toString('utf8'), 'user_id,name,department\r\n2,Lee,IT\r\n3,Park,Sales\r\n');
    await page.close();
  });

  test('a new user given a card a kept server user holds goes to the error file, not the import file', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const count = await openMerge(page,
      'user_id,name,csn\r\n3,Park,1002\r\n5,Jung,5005\r\n',
      'user_id,name,csn\r\n2,Lee,1002\r\n');
    assert.deepEqual([await count('new'), await count('cards'), await count('errors'), await count('import')], [1, 1, 0, 1]);
    assert.match(await page.getByTestId('merge-problems').innerText(), /card 1002 is held on the server by user 2/);
    const imp = await downloadOf(page, 'download-import');
    assert.equal(imp.bytes.toString('utf8'), 'user_id,name,csn\r\n5,Jung,5005\r\n');
    assert.match(await page.getByTestId('written').innerText(), /1 row left out: each gives a card that a user the server keeps holds/);
    assert.equal(await page.getByTestId('download-errors').innerText(), 'Download the error file (1 row)');
    const err = await downloadOf(page, 'download-errors');
    const lines = err.bytes.toString('utf8').split('\r\n');
    assert.equal(lines[0], '\ufeffuser_id,name,csn,Error_Description');
    assert.match(lines[1], /^3,Park,1002,"Line 2, column ""csn"" \(C\): card 1002 is held on the server by user 2 \(line 2 of server.csv\)/);
    // Giving Park another card in the table takes the clash away in the merge's counts.
    await page.locator('.grid-row[data-line="2"] [data-col="2"]').click();
    await page.getByTestId('cell-editor').fill('3001');
    await page.getByTestId('cell-editor').press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid=merge-import] dd')?.textContent === '2');
    assert.equal(await count('cards'), 0);
    assert.equal(await page.getByTestId('merge-problems').count(), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the error file opens again in the workbench to carry on fixing', async () => {
    const { page } = await openApp(b.context, site.url);
    await openCsv(page, 'hr_errors.csv', '\ufeffuser_id,name,Error_Description\r\nabc,Kim,"user_id: not a number"\r\n');
    assert.equal(await page.locator('tr[data-column="Error_Description"] select').inputValue(), '', 'Error_Description is ignored');
    assert.deepEqual(await totals(page), { rows: 1, valid: 0, errors: 1 });
    assert.equal(await page.getByTestId('formula-note').count(), 0, 'no formula, no note');
    await page.close();
  });

  test('a cell is edited from the keyboard: Enter or F2 opens its editor', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    await openCsv(page, 'k.csv', 'user_id,name\r\nabc,Kim\r\n2,Lee\r\n');
    assert.deepEqual(await totals(page), { rows: 2, valid: 1, errors: 1 });
    const cell = page.locator('.grid-row[data-line="2"] [data-col="0"]');
    // Reached by the arrow key from the row's line button, as a keyboard user does.
    await page.locator('.grid-row[data-line="2"] .cell.line').focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await cell.evaluate((c) => c === document.activeElement), true, 'the first cell takes the focus');
    await page.keyboard.press('Enter');
    const editor = page.getByTestId('cell-editor');
    await editor.waitFor();
    await editor.fill('1');
    await editor.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid=total-valid] dd')?.textContent === '2');
    assert.equal(await page.getByTestId('cell-editor').count(), 0, 'Enter in the editor commits and closes it');
    await page.locator('.grid-row[data-line="3"] [data-col="1"]').focus();
    await page.keyboard.press('F2');
    await page.getByTestId('cell-editor').waitFor();
    await page.waitForFunction(() => document.activeElement?.dataset.testid === 'cell-editor');
    await page.keyboard.press('Escape');
    await page.getByTestId('cell-editor').waitFor({ state: 'detached' });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the table is one Tab stop, crossed with the arrow, Home, End and page keys', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const lines = ['user_id,name,department'];
    for (let i = 1; i <= 2000; i++) lines.push(`${i},Name ${i},Dept`);
    await openCsv(page, 'keys.csv', lines.join('\r\n') + '\r\n');
    const at = () => page.evaluate(() => {
      const el = document.activeElement;
      return { line: el?.closest('.grid-row')?.dataset.line, ncol: el?.dataset.ncol };
    });
    const press = async (key, want) => {
      await page.keyboard.press(key);
      await page.waitForFunction((w) => {
        const el = document.activeElement;
        return el?.closest('.grid-row')?.dataset.line === w.line && el?.dataset.ncol === w.ncol;
      }, want, { timeout: 10_000 }).catch(() => {});
      assert.deepEqual(await at(), want, `after ${key}`);
    };
    // Tab from the row filter: the table's one cell stop, then out.
    await page.getByTestId('row-filter').focus();
    await page.keyboard.press('Tab');
    assert.deepEqual(await at(), { line: '2', ncol: '2' }, 'the first row\'s first cell of the file');
    assert.equal(await page.locator('#csv-grid [tabindex="0"]').count(), 1, 'one Tab stop among the cells');
    await press('ArrowRight', { line: '2', ncol: '3' });
    await press('ArrowDown', { line: '3', ncol: '3' });
    await press('End', { line: '3', ncol: '4' });
    await press('Home', { line: '3', ncol: '0' });
    await page.keyboard.press('Space');
    assert.equal(await page.locator('.grid-row[data-line="3"] input[type=checkbox]').isChecked(), true, 'Space ticks the row');
    await press('Control+End', { line: '2001', ncol: '0' });
    await press('ArrowRight', { line: '2001', ncol: '1' });
    await press('Control+Home', { line: '2', ncol: '1' });
    await page.keyboard.press('PageDown');
    await page.waitForFunction(() => Number(document.activeElement?.closest('.grid-row')?.dataset.line) > 5);
    await press('Control+Home', { line: '2', ncol: '1' });
    // Key after key down a long table: one row each, the row in view (rows are drawn into
    // the table's elements as it scrolls, the focus staying on the cursor's).
    for (let line = 3; line <= 130; line++) {
      await page.keyboard.press('ArrowDown');
      await page.waitForTimeout(25); // a held key repeats about every 33 ms
      if (line % 16 === 0 || line === 130) {
        // Settled: the focused cell shows the line, and is in the table's view.
        const settled = await page.waitForFunction((l) => {
          const el = document.activeElement;
          const g = document.getElementById('csv-grid').getBoundingClientRect();
          const r = el.getBoundingClientRect();
          return el?.closest('.grid-row')?.dataset.line === String(l) && r.top >= g.top && r.bottom <= g.bottom;
        }, line, { timeout: 10_000 }).then(() => true, () => false);
        assert.deepEqual(await at(), { line: String(line), ncol: '1' }, `ArrowDown to line ${line}`);
        assert.ok(settled, `line ${line} is in view`);
      }
    }
    // The mouse wheel scrolls the cursor away; an arrow goes on from it.
    await page.locator('#csv-grid').hover();
    await page.mouse.wheel(0, 6000);
    await page.waitForFunction(() => document.getElementById('csv-grid').scrollTop > 5000);
    await page.waitForTimeout(300);
    await press('ArrowDown', { line: '131', ncol: '1' });
    await press('Control+Home', { line: '2', ncol: '1' });
    await press('ArrowRight', { line: '2', ncol: '2' });
    // An edit from the keyboard gives the focus back to its cell, which keys move on from.
    await page.keyboard.press('Enter');
    await page.getByTestId('cell-editor').fill('77');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('.grid-row[data-line="2"] [data-col="0"]')?.textContent === '77');
    await page.waitForFunction(() => document.activeElement?.dataset.ncol === '2');
    assert.deepEqual(await at(), { line: '2', ncol: '2' }, 'the edited cell has the focus again');
    await press('ArrowDown', { line: '3', ncol: '2' });
    // Arrow keys inside the editor move its caret, not the focus.
    await page.keyboard.press('F2');
    await page.getByTestId('cell-editor').waitFor();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'cell-editor');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.activeElement?.dataset.ncol === '2');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => Boolean(document.activeElement?.closest('#csv-grid'))), false, 'Tab leaves the table');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('fixing the last row a filter shows leaves the focus on the new last row', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    await openCsv(page, 'fix.csv', 'user_id,name\r\nx1,A\r\n2,B\r\nx3,C\r\nx4,D\r\n');
    await page.getByTestId('row-filter').selectOption('errors');
    await page.waitForFunction(() => document.querySelectorAll('#csv-grid .grid-row').length === 3);
    await page.locator('.grid-row[data-line="2"] [data-col="0"]').focus();
    await page.keyboard.press('Control+End');
    await page.waitForFunction(() => document.activeElement?.closest('.grid-row')?.dataset.line === '5');
    await page.keyboard.press('Enter');
    await page.getByTestId('cell-editor').fill('4');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('#csv-grid .grid-row').length === 2);
    await page.waitForFunction(() => document.activeElement?.closest('.grid-row')?.dataset.line === '4', null, { timeout: 5_000 });
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.col), '0', 'same column');
    await page.keyboard.press('ArrowUp');
    await page.waitForFunction(() => document.activeElement?.closest('.grid-row')?.dataset.line === '2');
    // A rule's last finding fixed: the filter still shows that rule, with none left.
    await page.getByTestId('row-filter').selectOption('rule:user_id.not_number');
    await page.waitForFunction(() => document.querySelectorAll('#csv-grid .grid-row').length === 2);
    for (const line of ['2', '4']) {
      await page.locator(`.grid-row[data-line="${line}"] [data-col="0"]`).click();
      await page.getByTestId('cell-editor').fill(`1${line}`);
      await page.keyboard.press('Enter');
      await page.waitForFunction((l) => !document.querySelector(`.grid-row[data-line="${l}"]`), line);
    }
    await page.getByTestId('row-count').getByText('0 rows').waitFor();
    const chosen = await page.getByTestId('row-filter').evaluate((s) => s.selectedOptions[0]?.textContent);
    assert.equal(chosen, 'rule: User ID not a number (none left)');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('ticked rows, and every row a filter shows, export with the import file\'s columns', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    const lines = ['user_id,name'];
    for (let i = 1; i <= 300; i++) lines.push(`${i % 3 === 0 ? `x${i}` : i},N${i}`);
    await openCsv(page, 'team.csv', lines.join('\r\n') + '\r\n');
    assert.equal(await page.getByTestId('download-shown').isDisabled(), true, 'all rows shown: the import file with all rows does that');
    await page.locator('.grid-row[data-line="3"] input[type=checkbox]').check();
    await page.locator('.grid-row[data-line="6"] input[type=checkbox]').check();
    const ticked = await downloadOf(page, 'download-selected');
    assert.equal(ticked.name, 'team_selected.csv');
    assert.equal(ticked.bytes.toString(), 'user_id,name\r\n2,N2\r\n5,N5\r\n');
    // Ticked rows the filter hides are written too, and said.
    await page.getByTestId('row-filter').selectOption('errors');
    await page.waitForFunction(() => !document.querySelector('.grid-row[data-line="3"]'));
    const hidden = await downloadOf(page, 'download-selected');
    assert.equal(hidden.bytes.toString(), ticked.bytes.toString());
    assert.match(await page.getByTestId('written').innerText(), /2 ticked rows are hidden by the table's filter; they are in the file too/);
    await page.getByTestId('clear-selected').click();
    assert.equal(await page.getByTestId('download-selected').isDisabled(), true, 'no ticks left');
    // The filter keeps 100 rows, more than the table draws: all of them are written.
    await page.waitForFunction(() => document.querySelector('[data-testid=download-shown]')?.textContent.includes('(100)'));
    const shown = await downloadOf(page, 'download-shown');
    assert.equal(shown.name, 'team_rows_with_errors.csv');
    const rows = shown.bytes.toString().trimEnd().split('\r\n');
    assert.equal(rows.length, 101);
    assert.deepEqual([rows[1], rows[100]], ['x3,N3', 'x300,N300']);
    assert.match(await page.getByTestId('written').innerText(), /Wrote 100 rows/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a cell holding a line break opens with the break shown, and fixing it makes the row valid', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    await openCsv(page, 'nl.csv', 'user_id,name,department\r\n1,Kim,"Dev\nLead"\r\n');
    assert.deepEqual(await totals(page), { rows: 1, valid: 0, errors: 1 });
    await page.locator('.grid-row[data-line="2"] [data-col="2"]').click();
    const editor = page.getByTestId('cell-editor');
    assert.equal(await editor.inputValue(), 'Dev\nLead', 'the break is shown, not joined away');
    await editor.press('Enter');
    await editor.waitFor({ state: 'detached' });
    assert.deepEqual(await totals(page), { rows: 1, valid: 0, errors: 1 }, 'Enter without a change changes nothing');
    await page.locator('.grid-row[data-line="2"] [data-col="2"]').click();
    await editor.fill('Dev Lead');
    await editor.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid=total-valid] dd')?.textContent === '1');
    assert.deepEqual(errors, []);
    // The edit lives only in this tab: leaving the page asks first.
    const asked = new Promise((resolve) => page.once('dialog', async (d) => { resolve(d.type()); await d.accept(); }));
    await page.close({ runBeforeUnload: true });
    assert.equal(await asked, 'beforeunload');
  });

  test('cells past the header\'s last column are listed in the row detail and can be deleted there', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    await openCsv(page, 'wide.csv', 'user_id,name,department\r\n1,Kim,HR,x,,y\r\n');
    assert.deepEqual(await totals(page), { rows: 1, valid: 0, errors: 1 });
    await page.locator('.grid-row[data-line="2"] [data-col="1"]').click();
    await page.keyboard.press('Escape');
    const extra = page.getByTestId('extra-cells');
    assert.deepEqual(await extra.locator('li').allInnerTexts(), ['Column D: x Delete', 'Column F: y Delete']);
    await extra.getByTestId('delete-extra-cell').first().click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=extra-cells] li').length === 1);
    await extra.getByTestId('delete-extra-cell').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=total-errors] dd')?.textContent === '0');
    assert.equal(await extra.count(), 0);
    // No empty cell is left trailing the header's last column, so no "remove them" warning.
    assert.deepEqual(await totals(page), { rows: 1, valid: 1, errors: 0 });
    assert.equal(await page.getByTestId('total-warnings').locator('dd').innerText(), '0');
    assert.equal(await page.getByTestId('row-detail').locator('p.good').innerText(), 'No findings: this row imports as it is.');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('beside the error file, cells a spreadsheet would run as formulas are counted', async () => {
    const { page, errors } = await openApp(b.context, site.url);
    await openCsv(page, 'f.csv', 'user_id,name,department\r\nabc,Kim,=HYPERLINK("x")\r\n2,Lee,+1+2\r\n3,Park,-5\r\n');
    assert.match(await page.getByTestId('formula-note').innerText(), /^2 cells start like a spreadsheet formula/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('with 200,000 rows the table keeps only the visible rows in the page', async () => {
    const { page } = await openApp(b.context, site.url);
    const rows = ['user_id,name,department'];
    for (let i = 1; i <= 200_000; i++) rows.push(`${i},User ${i},Dept ${i % 7}`);
    await page.getByTestId('file-input').first().setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n') + '\n') });
    await page.getByTestId('csv-summary').waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid=row-count]')?.textContent === '200,000 rows');
    const inDom = await page.locator('.grid-row').count();
    assert.ok(inDom > 10 && inDom < 200, `only a window of rows is in the DOM (${inDom})`);
    // Scroll to the end: the last line shows, and still only a window is in the DOM.
    await page.getByTestId('grid').evaluate((g) => { g.scrollTop = g.scrollHeight; g.dispatchEvent(new Event('scroll')); });
    await page.locator('.grid-row[data-line="200001"]').waitFor();
    assert.ok((await page.locator('.grid-row').count()) < 200);
    await page.close();
  });

  test('a file of 40 columns uses the window\'s width: the grid and the preview scroll inside their panels', async () => {
    const cols = ['user_id', 'name', 'department', 'user_title', 'phone', 'email', 'user_group', 'start_datetime', 'expiry_datetime', 'csn'];
    for (let i = cols.length; i < 40; i++) cols.push(`extra_${i}`);
    const lines = [`Exported from HR${','.repeat(39)}`, cols.join(',')];
    for (let r = 1; r <= 60; r++) lines.push(cols.map((_, i) => (i === 0 ? String(r) : `v${r}-${i}`)).join(','));
    for (const width of [1280, 1920]) {
      const { page } = await openApp(b.context, site.url);
      await page.setViewportSize({ width, height: 900 });
      await page.getByTestId('file-input').first().setInputFiles({ name: 'wide.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\r\n')) });
      await page.getByTestId('csv-summary').waitFor();
      await page.screenshot({ path: `test-results/workbench-${width}.png`, fullPage: false });
      const box = async (sel) => page.locator(sel).first().evaluate((e) => {
        const r = e.getBoundingClientRect();
        return { x: r.x, y: r.y, w: r.width, client: e.clientWidth, scroll: e.scrollWidth };
      });
      // The page itself never scrolls sideways; the tables use (nearly) the window's width.
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), width);
      const grid = await box('[data-testid=grid]');
      assert.ok(grid.w >= width - 80, `the grid is ${grid.w} px wide in a ${width} px window`);
      assert.ok(grid.scroll > grid.client, 'the 40 columns scroll inside the grid');
      const preview = await box('.start-row .table-scroll');
      assert.ok(preview.w <= width && preview.scroll > preview.client, 'the preview scrolls inside its panel');
      // Column names are not cut: the file's name and the field it fills, one line each.
      const head = page.locator('.grid-head [role=columnheader]').nth(2);
      assert.equal(await head.locator('.col-name').innerText(), 'user_id');
      assert.equal(await head.locator('.col-field').innerText(), '→ User ID (user_id)');
      assert.equal(await page.locator('.grid-head [role=columnheader]').nth(12).locator('.col-field').innerText(), '→ Not mapped');
      const name = await box('.grid-head [role=columnheader]:nth-child(3) .col-name');
      assert.ok(name.scroll <= name.client, 'the header "user_id" shows whole');
      // Scrolled right and down, the line column and the header row stay in view.
      const line = await box('.grid-row[data-line="3"] .cell.line');
      const top = await box('.grid-head');
      await page.getByTestId('grid').evaluate((g) => { g.scrollLeft = 2000; g.scrollTop = 100; g.dispatchEvent(new Event('scroll')); });
      await page.waitForTimeout(100);
      const lineAfter = await box('.grid-row .cell.line');
      const topAfter = await box('.grid-head');
      assert.equal(lineAfter.x, line.x, 'the line column stays put');
      assert.equal(topAfter.y, top.y, 'the header row stays put');
      await page.close();
    }
  });
});

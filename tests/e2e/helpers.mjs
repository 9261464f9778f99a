// Shared set-up for the end-to-end tests: the built site served on 127.0.0.1 under a
// sub-path, Debian's Chromium driven by playwright-core, and a log of every request.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync, gzipSync } from 'node:zlib';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/static-server.mjs';

export const BASE = '/tools/bioport/';
export const FIXTURES = new URL('../../../shared/fixtures/zk/', import.meta.url);

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-default-apps', '--disable-quic',
];

/**
 * A new empty folder under the system's temporary folder, removed with all it holds when
 * the test file's process exits (some tests write hundreds of MB there).
 */
export function scratchDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `bioport-${prefix}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Bytes of a file in ../shared/fixtures/zk. */
export function fixture(name) {
  return readFileSync(new URL(name, FIXTURES));
}

/** Serves dist/ under BASE and counts the requests the server receives. */
export async function startSite() {
  if (!existsSync('dist/index.html')) throw new Error('dist/ is missing: run scripts/build.sh first');
  const { server, url } = await serve({ dir: 'dist', port: 0, base: BASE });
  const received = [];
  server.on('request', (req) => received.push(req.url));
  return { server, url, received };
}

/**
 * Launches Chromium (with `extraArgs` after the usual ones); every request any page makes
 * is logged with the time it was made.
 */
export async function startBrowser(extraArgs = []) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...extraArgs] });
  const context = await browser.newContext({ acceptDownloads: true });
  const requests = [];
  context.on('request', (r) => requests.push({ url: r.url(), method: r.method(), at: Date.now() }));
  // Anything not on this machine is refused, and stays in the log for the assertions.
  await context.route((u) => !u.href.startsWith('http://127.0.0.1:'), (route) => route.abort());
  return { browser, context, requests };
}

/**
 * Opens the app and waits until it has mounted and its worker is ready, and the second
 * worker it keeps loaded for Cancel too: the page has loaded all it will load.
 */
export async function openApp(context, url) {
  const page = await context.newPage();
  const errors = [];
  const warnings = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
    if (m.type() === 'warning') warnings.push(m.text());
  });
  await page.goto(url);
  await page.waitForSelector('[data-testid=start]');
  await page.waitForSelector('html[data-worker=ready]');
  await page.waitForSelector('html[data-standby=ready]');
  return { page, errors, warnings };
}

/** A ustar header block for one regular file. */
export function tarHeader(name, size) {
  const h = Buffer.alloc(512, 0);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

/** A gzip-compressed tar archive of [name, Buffer] entries, as BioStar writes data files. */
export function makeTgz(entries) {
  const parts = [];
  for (const [name, data] of entries) {
    parts.push(tarHeader(name, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}

/**
 * Counts the distinct colours of a PNG screenshot by drawing it in a blank page's canvas,
 * and how many pixels differ from the corner pixel.
 */
export async function pictureStats(context, png) {
  const page = await context.newPage();
  const stats = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const colours = new Set();
    let differ = 0;
    for (let i = 0; i < d.length; i += 4) {
      colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) differ++;
    }
    return { colours: colours.size, differ, pixels: d.length / 4 };
  }, png.toString('base64'));
  await page.close();
  return stats;
}

/**
 * Starts the site and Chromium before a test file's tests and stops both after them;
 * `use(site, b)` receives them once started.
 */
export function useSiteAndBrowser(use) {
  let started = [];
  before(async () => {
    started = await Promise.all([startSite(), startBrowser()]);
    use(...started);
  });
  after(async () => {
    await started[1]?.browser.close();
    started[0]?.server.close();
  });
}

/** One PNG chunk: length, type, data, CRC-32 of type and data. */
export function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A real, decodable RGB PNG of w x h pixels (a gradient tinted by `seed`). */
export function png(w, h, seed) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = x % 256;
      raw[o + 1] = y % 256;
      raw[o + 2] = seed;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * Drops files or folders from disk (`paths`) on the element `locator` finds, as a user
 * drags them from a file manager: through Chromium's own drag and drop (DevTools'
 * `Input.dispatchDragEvent`), so a folder arrives as a real directory entry whose files
 * the page walks with `webkitGetAsEntry` and `readEntries`.
 */
export async function dropPaths(page, locator, paths) {
  await locator.scrollIntoViewIfNeeded();
  const box = await locator.boundingBox();
  const at = { x: box.x + Math.min(box.width / 2, 40), y: box.y + Math.min(box.height / 2, 20) };
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: paths, dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop']) {
    await cdp.send('Input.dispatchDragEvent', { type, ...at, data });
  }
  await cdp.detach();
}

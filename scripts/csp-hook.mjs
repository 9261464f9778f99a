// Trunk post_build hook: hashes every inline <script> of the staged index.html and adds
// the hashes to the Content-Security-Policy's script-src, so no 'unsafe-inline' is needed.
// Fails the build if the page has no CSP or references any remote origin.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('csp-hook: TRUNK_STAGING_DIR is not set (run me as a Trunk post_build hook)');
  process.exit(1);
}
const file = join(dir, 'index.html');
let html = readFileSync(file, 'utf8');

const hashes = [];
for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
  const body = m[1];
  if (body.trim() === '') continue;
  hashes.push(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
}

const meta = /(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")/;
if (!meta.test(html)) {
  console.error('csp-hook: index.html has no Content-Security-Policy meta tag');
  process.exit(1);
}
html = html.replace(meta, (_, a, policy, c) => {
  const updated = policy.replace(/script-src ([^;]*)/, (s, v) => `script-src ${v} ${hashes.join(' ')}`.trimEnd());
  return a + updated + c;
});

const remote = html.match(/(?:src|href)="(?:https?:)?\/\/[^"]*"/g);
if (remote) {
  console.error('csp-hook: the page references remote origins:', remote.join(', '));
  process.exit(1);
}
writeFileSync(file, html);
console.log(`csp-hook: ${hashes.length} inline script hash(es) added to the CSP`);

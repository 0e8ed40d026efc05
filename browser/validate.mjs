// HTML validity: runs the W3C Nu HTML Checker (vnu.jar from the vnu-jar package, offline, with
// the system's java) on every .html file of a built site. Errors fail; warnings are listed.
//
//   node browser/validate.mjs [SITE_DIR]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { createRequire } from 'node:module';
import { listHtml, parseArgs, siteDirFrom } from './lib.mjs';

const require = createRequire(import.meta.url);
const VNU_JAR = path.join(path.dirname(require.resolve('vnu-jar/package.json')), 'build', 'dist', 'vnu.jar');
const JAVA = process.env.JAVA || 'java';

const { positional } = parseArgs(process.argv.slice(2));
const siteDir = siteDirFrom(positional);
const pages = listHtml(siteDir);
const started = Date.now();
console.log(`vnu: checking ${pages.length} HTML files in ${siteDir}`);

const run = spawnSync(
  JAVA,
  ['-Xss4m', '-jar', VNU_JAR, '--format', 'json', '--skip-non-html', ...pages.map((p) => path.join(siteDir, p))],
  { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
);
if (run.error) {
  console.error(`error: could not run ${JAVA}: ${run.error.message} (install a Java runtime, 11 or newer)`);
  process.exit(2);
}

let report;
try {
  // vnu writes its JSON report to stderr.
  report = JSON.parse(run.stderr || run.stdout);
} catch {
  console.error(`error: vnu exited ${run.status} without a JSON report:\n${run.stderr}${run.stdout}`);
  process.exit(2);
}

const prefix = `${siteDir}${path.sep}`;
const relOf = (url) => {
  if (!url) return '(no file)';
  const file = decodeURIComponent(url.replace(/^file:(\/\/)?/, ''));
  return file.startsWith(prefix) ? file.slice(prefix.length) : file;
};

const errors = new Map();
const warnings = new Map();
for (const msg of report.messages ?? []) {
  const isError = msg.type === 'error' || msg.type === 'non-document-error' || msg.subType === 'fatal';
  const isWarning = msg.type === 'info' && msg.subType === 'warning';
  if (!isError && !isWarning) continue;
  const bucket = isError ? errors : warnings;
  const rel = relOf(msg.url);
  const where = msg.lastLine ? `${msg.lastLine}:${msg.firstColumn ?? msg.lastColumn ?? 0}` : '-';
  const extract = msg.extract ? `  [${msg.extract.replace(/\s+/g, ' ').trim().slice(0, 120)}]` : '';
  if (!bucket.has(rel)) bucket.set(rel, []);
  bucket.get(rel).push(`${where} ${msg.message}${extract}`);
}

const print = (title, map) => {
  if (map.size === 0) return;
  console.log(`\n${title}`);
  for (const [rel, list] of [...map].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`  ${rel}`);
    for (const line of list) console.log(`    ${line}`);
  }
};
const count = (map) => [...map.values()].reduce((n, list) => n + list.length, 0);
// Warnings repeat page after page (the same template line): each distinct message is listed
// once, with how many pages carry it and the first of them.
const printWarnings = (map) => {
  if (map.size === 0) return;
  const byMessage = new Map();
  for (const [rel, list] of [...map].sort(([a], [b]) => a.localeCompare(b))) {
    for (const line of list) {
      const message = line.replace(/^\S+ /, '');
      if (!byMessage.has(message)) byMessage.set(message, { pages: new Set(), first: `${rel}:${line.split(' ')[0]}` });
      byMessage.get(message).pages.add(rel);
    }
  }
  console.log(`\nwarnings (${count(map)}, ${byMessage.size} distinct, not failing):`);
  for (const [message, { pages, first }] of byMessage) {
    console.log(`  ${message}\n    on ${pages.size} page(s), first ${first}`);
  }
  // vnu checks files without an origin, so it cannot match a script against 'self'; in a
  // browser 'self' is the site's own folder, and the browser suite fails any page whose policy
  // blocks something.
  if ([...byMessage.keys()].some((m) => m.includes('Content Security Policy'))) {
    console.log('  (the policy warnings are vnu checking files without an origin; the browser suite checks the policy in Chromium)');
  }
};
printWarnings(warnings);
print(`ERRORS (${count(errors)}):`, errors);

const badFiles = errors.size;
console.log(`\nvnu: ${pages.length} files, ${count(errors)} errors, ${count(warnings)} warnings in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`validate: ${pages.length - badFiles} passed, ${badFiles} failed`);
process.exit(badFiles === 0 ? 0 : 1);

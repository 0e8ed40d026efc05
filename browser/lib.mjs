// Shared helpers for the browser checks: where the site is, which pages it has, and how
// Chromium is started (Debian's /usr/bin/chromium through playwright-core, fresh profile).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

export const BROWSER_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_DIR = path.resolve(BROWSER_DIR, '..');
export const DEFAULT_SITE_DIR = path.join(REPO_DIR, 'public');
export const OUT_DIR = path.join(BROWSER_DIR, 'out');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Splits argv into positional arguments and `--flag` / `--key=value` options. */
export function parseArgs(argv) {
  const positional = [];
  const flags = {};
  for (const arg of argv) {
    if (arg.startsWith('--')) {
      const [key, value] = arg.slice(2).split(/=(.*)/s);
      flags[key] = value === undefined ? true : value;
    } else {
      positional.push(arg);
    }
  }
  return { positional, flags };
}

/** The built site folder: the first positional argument, or public/ beside browser/. */
export function siteDirFrom(positional) {
  const dir = path.resolve(positional[0] ?? DEFAULT_SITE_DIR);
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    console.error(`error: ${dir} has no index.html; build the site first (cargo run --release -- build)`);
    process.exit(2);
  }
  return fs.realpathSync(dir);
}

/** Every .html file under `dir`, as sorted paths relative to it (with forward slashes). */
export function listHtml(dir) {
  const found = [];
  const walk = (sub) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile() && entry.name.endsWith('.html')) found.push(rel);
    }
  };
  walk('');
  return found.sort();
}

export function fileUrl(siteDir, rel) {
  return pathToFileURL(path.join(siteDir, rel)).href;
}

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Starts headless Chromium with a fresh temporary profile. Returns the persistent context and a
 * close() that shuts the browser and removes the profile.
 */
export async function launch() {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    console.error(`error: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
    process.exit(2);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'infrabrief-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
    reducedMotion: 'reduce',
    serviceWorkers: 'block',
    acceptDownloads: false,
  });
  // Every page records what its Content Security Policy blocked, for the suite to read back.
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline content'}`);
    });
  });
  // Playwright opens one blank tab with a persistent context; it is not needed.
  for (const page of context.pages()) await page.close();
  const close = async () => {
    await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

/** Schemes that never leave the machine and are not requests to the network. */
export function isLocalScheme(url) {
  return url.startsWith('file:') || url.startsWith('data:') || url.startsWith('blob:') || url === 'about:blank';
}

/** Runs `worker(item, index)` over `items` with at most `limit` at once. */
export async function pool(items, limit, worker) {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await worker(items[index], index);
    }
  });
  await Promise.all(runners);
}

/**
 * Waits until a viewport or colour-scheme change has fully applied: getAnimations() flushes
 * style (so transitions the change started are listed) and every finite one is awaited. Layout
 * itself needs no wait: reading a size or a computed style forces it.
 */
export async function settle(page) {
  await page.evaluate(async () => {
    const finite = document.getAnimations().filter((a) => a.effect?.getComputedTiming().endTime !== Infinity);
    await Promise.all(finite.map((a) => a.finished.catch(() => {})));
  });
}

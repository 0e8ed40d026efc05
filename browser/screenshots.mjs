// Screenshots of the key pages at phone and desktop widths, light and dark, full page.
//
//   node browser/screenshots.mjs [SITE_DIR]            -> browser/out/screenshots/*.png
//   node browser/screenshots.mjs [SITE_DIR] --readme   -> docs/screenshot.png only
//
// The suite (suite.mjs) calls takeScreenshots() with its own browser.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OUT_DIR, REPO_DIR, fileUrl, launch, parseArgs, pool, settle, siteDirFrom } from './lib.mjs';

export const SCREENSHOT_PAGES = [
  ['home', 'index.html'],
  ['brief', 'briefs/openai-aws.html'],
  ['deal', 'deals/openai-aws-2025.html'],
  ['company', 'companies/openai.html'],
  ['registry', 'registry.html'],
];
export const WIDTHS = [375, 1280];
export const SCHEMES = ['light', 'dark'];
export const SCREENSHOT_DIR = path.join(OUT_DIR, 'screenshots');
export const README_SCREENSHOT = path.join(REPO_DIR, 'docs', 'screenshot.png');

let captureQueue = Promise.resolve();

async function shoot(context, url, { width, height, scheme, fullPage, file }) {
  const page = await context.newPage();
  try {
    await page.setViewportSize({ width, height });
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(url, { waitUntil: 'load' });
    await settle(page);
    // One capture at a time: when two tabs take full-page screenshots at once, Chromium
    // sometimes repeats the first screenful down the whole image. Loading stays parallel.
    const previous = captureQueue;
    let release;
    captureQueue = new Promise((resolve) => { release = resolve; });
    await previous;
    try {
      await page.screenshot({ path: file, fullPage, animations: 'disabled', caret: 'hide' });
    } finally {
      release();
    }
  } finally {
    await page.close();
  }
}

/**
 * Saves every page × width × scheme as browser/out/screenshots/NAME-WIDTH-SCHEME.png.
 * Returns a list of { name, error } for the ones that could not be taken.
 */
export async function takeScreenshots(context, siteDir, { concurrency = 2 } = {}) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const jobs = [];
  for (const [name, rel] of SCREENSHOT_PAGES) {
    for (const width of WIDTHS) {
      for (const scheme of SCHEMES) jobs.push({ name, rel, width, scheme });
    }
  }
  const problems = [];
  await pool(jobs, concurrency, async ({ name, rel, width, scheme }) => {
    const file = path.join(SCREENSHOT_DIR, `${name}-${width}-${scheme}.png`);
    if (!fs.existsSync(path.join(siteDir, rel))) {
      problems.push({ name: rel, error: 'page does not exist' });
      return;
    }
    try {
      await shoot(context, fileUrl(siteDir, rel), {
        width, height: width < 600 ? 812 : 800, scheme, fullPage: true, file,
      });
    } catch (err) {
      problems.push({ name: `${rel} at ${width}px ${scheme}`, error: err.message.split('\n')[0] });
    }
  });
  return { dir: SCREENSHOT_DIR, count: jobs.length - problems.length, problems };
}

/** The README picture: the home page at 1280 × 800, light, the first screenful only. */
export async function takeReadmeScreenshot(context, siteDir) {
  fs.mkdirSync(path.dirname(README_SCREENSHOT), { recursive: true });
  await shoot(context, fileUrl(siteDir, 'index.html'), {
    width: 1280, height: 800, scheme: 'light', fullPage: false, file: README_SCREENSHOT,
  });
  return README_SCREENSHOT;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { positional, flags } = parseArgs(process.argv.slice(2));
  const siteDir = siteDirFrom(positional);
  const { context, close } = await launch();
  let failed = false;
  try {
    if (flags.readme) {
      console.log(`wrote ${path.relative(process.cwd(), await takeReadmeScreenshot(context, siteDir))}`);
    } else {
      const { dir, count, problems } = await takeScreenshots(context, siteDir, { concurrency: Number(flags.concurrency ?? 2) });
      console.log(`wrote ${count} screenshots to ${path.relative(process.cwd(), dir) || '.'}`);
      for (const p of problems) console.log(`  FAIL ${p.name}: ${p.error}`);
      failed = problems.length > 0;
    }
  } finally {
    await close();
  }
  process.exit(failed ? 1 : 0);
}

// The real-browser suite: opens every .html page of a built site from file:// in headless
// Chromium and checks what a reader would meet.
//
//   node browser/suite.mjs [SITE_DIR] [--no-screenshots] [--concurrency=N]
//
// SITE_DIR defaults to public/ beside this folder (build it first: cargo run --release -- build).
//
// Per page: no console errors, no uncaught page errors, no request to any scheme but file:
// (data: and blob: are in-document and allowed; everything else is aborted and counted), no
// missing file, no reference to an external resource in the markup, each chart figure shows
// exactly one of its two drawings at 1280 and 375 px (the narrow one on the phone; the other is
// display:none), no horizontal scrolling at 375 px, axe-core finds no serious or critical
// violation in light or in dark mode, the page carries a Content Security Policy that names no
// network origin and it blocked nothing while the page was used. Site-wide: every internal link
// and #anchor resolves, the key pages read without JavaScript (charts included), site search
// finds and opens a deal, and the screenshots in browser/out/screenshots/ are taken. Exits 1 on
// any failure.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  fileUrl, isLocalScheme, launch, listHtml, parseArgs, pool, settle, siteDirFrom,
} from './lib.mjs';
import { takeScreenshots } from './screenshots.mjs';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const AXE_URL = pathToFileURL(AXE_PATH).href;

const { positional, flags } = parseArgs(process.argv.slice(2));
const SITE_DIR = siteDirFrom(positional);
const SITE_URL = `${fileUrl(SITE_DIR, '')}/`;
const CONCURRENCY = Math.max(1, Number(flags.concurrency ?? process.env.CONCURRENCY ?? 2));
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 812 };
const SEARCH_QUERY = 'Amazon';
const SEARCH_TARGET = 'deals/openai-aws-2025.html';
const NO_JS_PAGES = [
  'index.html', 'briefs/openai-aws.html', 'deals/openai-aws-2025.html', 'companies/openai.html', 'registry.html',
];

// ---------------------------------------------------------------------------------------------
// Results

const failures = new Map(); // page -> check -> [detail]
const notes = []; // things worth seeing that do not fail the run
let passed = 0;
let failed = 0;

function result(page, check, details) {
  const list = (Array.isArray(details) ? details : [details]).filter(Boolean);
  if (list.length === 0) {
    passed += 1;
    return;
  }
  failed += 1;
  if (!failures.has(page)) failures.set(page, new Map());
  const byCheck = failures.get(page);
  byCheck.set(check, [...(byCheck.get(check) ?? []), ...list]);
}

const short = (text, max = 300) => {
  const one = String(text).replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
};

// ---------------------------------------------------------------------------------------------
// In-page probes (run inside Chromium)

/**
 * Chart figures not shown right at this viewport width. Each figure holds its chart twice (a wide
 * and a narrow SVG): exactly one may have a rendered box, the other must be display:none (so it
 * is out of the accessibility tree), and on a phone-width viewport the one shown is the narrow.
 */
function probeCharts() {
  const empty = [];
  const phone = window.innerWidth <= 480;
  const figures = [...document.querySelectorAll('figure.chart')];
  figures.forEach((fig, i) => {
    const name = fig.id ? `#${fig.id}` : `figure.chart #${i + 1}`;
    const svgs = [...fig.querySelectorAll('svg.chart-svg')].filter((svg) => !svg.parentElement.closest('svg'));
    const shown = [];
    for (const svg of svgs) {
      const box = svg.getBoundingClientRect();
      if (box.width > 0 && box.height > 0) shown.push(svg);
      else if (getComputedStyle(svg).display !== 'none') {
        empty.push(`${name}: ${svg.getAttribute('class')} is ${box.width.toFixed(1)} × ${box.height.toFixed(1)} px but not display:none`);
      }
    }
    if (svgs.length === 0) {
      empty.push(`${name}: no chart SVG`);
    } else if (shown.length !== 1) {
      empty.push(`${name}: ${shown.length} of ${svgs.length} chart SVGs have a size, expected exactly 1`);
    } else if (phone && !shown[0].classList.contains('chart-svg-narrow')) {
      empty.push(`${name}: at ${window.innerWidth} px the chart shown is ${shown[0].getAttribute('class')}, not the narrow one`);
    }
  });
  return { count: figures.length, empty };
}

/** Links, anchors and references to resources outside the site, as the browser parsed them. */
function probeLinks() {
  const links = [...document.querySelectorAll('a[href], area[href], link[href]')].map((el) => ({
    tag: el.localName,
    rel: el.getAttribute('rel') ?? '',
    raw: el.getAttribute('href'),
    abs: el.href,
    text: (el.textContent || el.getAttribute('rel') || '').trim().slice(0, 60),
  }));
  const ids = [
    ...[...document.querySelectorAll('[id]')].map((el) => el.id),
    ...[...document.querySelectorAll('a[name]')].map((el) => el.getAttribute('name')),
  ];
  // Anything the page would load (now, lazily, or on interaction) from outside the machine.
  const local = (u) => /^(file|data|blob):/i.test(u) || u === 'about:blank' || u === '';
  const external = [];
  const loadAttrs = [
    ['script[src]', 'src'], ['img[src]', 'src'], ['iframe[src]', 'src'], ['frame[src]', 'src'],
    ['embed[src]', 'src'], ['object[data]', 'data'], ['video[src]', 'src'], ['video[poster]', 'poster'],
    ['audio[src]', 'src'], ['source[src]', 'src'], ['track[src]', 'src'], ['input[src]', 'src'],
    ['image[href]', 'href'], ['use[href]', 'href'], ['image[*|href]', 'xlink:href'], ['use[*|href]', 'xlink:href'],
  ];
  for (const [selector, attr] of loadAttrs) {
    for (const el of document.querySelectorAll(selector)) {
      const value = el.getAttribute(attr);
      if (value === null) continue;
      const abs = new URL(value, document.baseURI).href;
      if (!local(abs)) external.push(`<${el.localName} ${attr}="${value}">`);
    }
  }
  for (const el of document.querySelectorAll('img[srcset], source[srcset]')) {
    for (const candidate of el.getAttribute('srcset').split(',')) {
      const value = candidate.trim().split(/\s+/)[0];
      if (value && !local(new URL(value, document.baseURI).href)) external.push(`<${el.localName} srcset="${value}">`);
    }
  }
  for (const el of document.querySelectorAll('link[href]')) {
    const rel = (el.getAttribute('rel') || '').toLowerCase().split(/\s+/);
    const loads = ['stylesheet', 'icon', 'preload', 'prefetch', 'modulepreload', 'preconnect', 'dns-prefetch', 'manifest', 'apple-touch-icon'];
    if (rel.some((r) => loads.includes(r)) && !local(el.href)) external.push(`<link rel="${el.getAttribute('rel')}" href="${el.getAttribute('href')}">`);
  }
  for (const el of document.querySelectorAll('[style*="url("]')) {
    for (const m of el.getAttribute('style').matchAll(/url\(\s*['"]?([^'")]+)/g)) {
      if (!local(new URL(m[1], document.baseURI).href)) external.push(`inline style url(${m[1]})`);
    }
  }
  for (const el of document.querySelectorAll('meta[http-equiv="refresh" i]')) external.push(`<meta http-equiv="refresh" content="${el.content}">`);
  return { links, ids, external };
}

/** Horizontal overflow of the document, with the innermost elements that stick out. */
function probeOverflow() {
  const root = document.documentElement;
  const scrollWidth = root.scrollWidth;
  const clientWidth = root.clientWidth;
  const culprits = [];
  if (scrollWidth > clientWidth + 1) {
    const over = (el) => el.getBoundingClientRect().right > clientWidth + 1;
    const describe = (el) => {
      let name = el.localName;
      if (el.id) name += `#${el.id}`;
      if (el.classList.length) name += `.${[...el.classList].join('.')}`;
      const parent = el.parentElement?.closest('[id], [class]');
      const where = parent && parent !== el ? ` in ${parent.localName}${parent.id ? `#${parent.id}` : `.${[...parent.classList].join('.')}`}` : '';
      return `${name}${where} (right edge ${Math.round(el.getBoundingClientRect().right)} px)`;
    };
    for (const el of document.body.querySelectorAll('*')) {
      if (!over(el)) continue;
      // Innermost: no child of it overflows too, and it is not inside a scrolling box.
      if ([...el.children].some(over)) continue;
      let scroller = el.parentElement;
      let clipped = false;
      while (scroller && scroller !== document.body) {
        const style = getComputedStyle(scroller);
        if (/(auto|scroll|hidden|clip)/.test(style.overflowX)) { clipped = true; break; }
        scroller = scroller.parentElement;
      }
      if (clipped) continue;
      culprits.push(describe(el));
      if (culprits.length >= 5) break;
    }
  }
  return { scrollWidth, clientWidth, culprits };
}

/** The page's CSP meta must exist, start from nothing and allow no network origin; it must have blocked nothing. */
function probePolicy(axeUrl) {
  const problems = [];
  const metas = [...document.querySelectorAll('meta[http-equiv="Content-Security-Policy" i]')];
  if (metas.length !== 1) problems.push(`${metas.length} Content-Security-Policy meta elements (want 1)`);
  const policy = metas[0]?.content ?? '';
  if (metas.length && !/^default-src 'none'(;|$)/.test(policy)) problems.push(`policy does not start with default-src 'none': ${policy}`);
  for (const source of policy.split(/[;\s]+/)) {
    if (/^(https?:|wss?:|\*|'unsafe-inline'|'unsafe-eval'|data:)/.test(source) || source.includes('://')) problems.push(`policy allows ${source}`);
  }
  const violations = (window.__cspViolations ?? []).filter((v) => !v.includes(axeUrl));
  if (!window.__cspViolations) problems.push('the violation recorder did not run');
  return [...problems, ...violations.map((v) => `blocked: ${v}`)];
}

async function runAxe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    // Loaded as a file: URL rather than sent inline ({ path }): the same script, half the cost.
    await page.addScriptTag({ url: AXE_URL });
  }
  return page.evaluate(async () => {
    // preload: false keeps axe from fetching the stylesheets again with XHR, which file://
    // forbids (it would log CORS errors that are axe's, not the site's).
    const res = await window.axe.run(document, { resultTypes: ['violations'], preload: false });
    return res.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  });
}

function axeDetails(violations) {
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const details = [];
  for (const v of bad) {
    const shown = v.nodes.slice(0, 4).map((n) => `${n.target}${n.summary ? ` (${short(n.summary.replace(/^Fix (any|all) of the following:/, ''), 160)})` : ''}`);
    const more = v.nodes.length > shown.length ? `; and ${v.nodes.length - shown.length} more` : '';
    details.push(`${v.id} [${v.impact}] ${v.help}: ${v.nodes.length} element(s): ${shown.join('; ')}${more}`);
  }
  return details;
}

// ---------------------------------------------------------------------------------------------
// Per-page checks

/** Attaches listeners that gather console errors, page errors and requests for one page. */
function watch(page, network) {
  const seen = { console: [], pageErrors: [], missing: [] };
  // A worker reuses its tab for page after page: reset() starts a new page's record.
  seen.reset = () => {
    seen.console = [];
    seen.pageErrors = [];
    seen.missing = [];
    network.take(page);
  };
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const loc = msg.location();
    const file = loc?.url?.startsWith(SITE_URL) ? loc.url.slice(SITE_URL.length) : loc?.url;
    const where = file ? ` (${file}${loc.lineNumber ? `:${loc.lineNumber + 1}` : ''})` : '';
    seen.console.push(short(`${msg.text()}${where}`));
  });
  page.on('pageerror', (err) => seen.pageErrors.push(short(err.stack || err.message, 500)));
  page.on('crash', () => seen.pageErrors.push('the page crashed'));
  page.on('request', (req) => {
    if (!isLocalScheme(req.url())) network.add(page, req.url());
  });
  page.on('requestfailed', (req) => {
    const url = req.url();
    if (url.startsWith('file:')) seen.missing.push(`${short(url, 200)}: ${req.failure()?.errorText ?? 'failed'}`);
  });
  return seen;
}

/** Non-file requests, seen both by the route (which aborts them) and the page's request event. */
class NetworkLog {
  constructor() { this.byPage = new Map(); }
  add(page, url) {
    if (!this.byPage.has(page)) this.byPage.set(page, new Set());
    this.byPage.get(page).add(short(url, 200));
  }
  take(page) {
    const urls = [...(this.byPage.get(page) ?? [])];
    this.byPage.delete(page);
    return urls;
  }
}

const pageData = new Map(); // rel -> { links, ids }
const pageTimes = []; // [rel, milliseconds]
const axeNotes = new Map(); // "rule [impact]" -> count of pages (moderate and minor only)

/** A tab that a worker reuses from page to page (opening a tab costs more than a page load). */
class Tab {
  constructor(context, network) { this.context = context; this.network = network; this.page = null; }
  async open() {
    if (!this.page || this.page.isClosed()) {
      this.page = await this.context.newPage();
      this.seen = watch(this.page, this.network);
    }
    this.seen.reset();
    return this;
  }
  async discard() {
    if (this.page && !this.page.isClosed()) await this.page.close().catch(() => {});
    this.page = null;
  }
}

async function checkPage(tab, rel) {
  const { page, seen, network } = await tab.open();
  try {
    await page.setViewportSize(DESKTOP);
    await page.emulateMedia({ colorScheme: 'light' });
    const response = await page.goto(fileUrl(SITE_DIR, rel), { waitUntil: 'load', timeout: 30_000 });
    if (!response) throw new Error('no response');
    await settle(page);

    const desktopCharts = await page.evaluate(probeCharts);
    const { links, ids, external } = await page.evaluate(probeLinks);
    pageData.set(rel, { links, ids: new Set(ids) });
    const duplicateIds = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];

    const light = await runAxe(page);
    await page.emulateMedia({ colorScheme: 'dark' });
    await settle(page);
    const dark = await runAxe(page);
    for (const v of [...light, ...dark]) {
      if (v.impact === 'serious' || v.impact === 'critical') continue;
      const key = `${v.id} [${v.impact}]`;
      axeNotes.set(key, (axeNotes.get(key) ?? new Set()).add(rel));
    }

    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize(PHONE);
    await settle(page);
    const overflow = await page.evaluate(probeOverflow);
    const phoneCharts = await page.evaluate(probeCharts);

    result(rel, 'console errors', seen.console);
    result(rel, 'uncaught page errors', seen.pageErrors);
    result(rel, 'network requests (non-file)', network.take(page).map((u) => `blocked ${u}`));
    result(rel, 'missing local files', seen.missing);
    result(rel, 'external resources in markup', external);
    result(rel, 'duplicate ids', duplicateIds.map((id) => `id="${id}" is used more than once`));
    result(rel, 'chart size', [
      ...desktopCharts.empty.map((e) => `at 1280 px: ${e}`),
      ...phoneCharts.empty.map((e) => `at 375 px: ${e}`),
    ]);
    result(rel, 'horizontal scroll at 375 px', overflow.scrollWidth > overflow.clientWidth + 1
      ? [`scrollWidth ${overflow.scrollWidth} > clientWidth ${overflow.clientWidth}`, ...overflow.culprits.map((c) => `sticks out: ${c}`)]
      : []);
    result(rel, 'axe (light)', axeDetails(light));
    result(rel, 'axe (dark)', axeDetails(dark));
    result(rel, 'content security policy', await page.evaluate(probePolicy, AXE_URL));
    return desktopCharts.count;
  } catch (err) {
    result(rel, 'page load', short(err.message, 500));
    await tab.discard(); // start the next page in a fresh tab
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Site-wide checks

function checkLinks(htmlPages) {
  const sitePrefix = SITE_DIR.endsWith(path.sep) ? SITE_DIR : SITE_DIR + path.sep;
  let count = 0;
  for (const rel of htmlPages) {
    const data = pageData.get(rel);
    if (!data) continue; // the page did not load; already failed
    const problems = new Set();
    for (const link of data.links) {
      const raw = link.raw.trim();
      const label = `<${link.tag}${link.rel ? ` rel="${link.rel}"` : ''} href="${link.raw}">${link.tag === 'a' && link.text ? ` (${link.text})` : ''}`;
      if (/^(mailto|tel):/i.test(raw)) continue;
      if (/^javascript:/i.test(raw)) { problems.add(`${label}: javascript: link`); continue; }
      let url;
      try { url = new URL(link.abs); } catch { problems.add(`${label}: not a valid URL`); continue; }
      if (url.protocol !== 'file:') continue; // external (http, https): not ours to check offline
      count += 1;
      if (raw.startsWith('/') || /^file:/i.test(raw)) { problems.add(`${label}: not relative (a leading / or file: breaks file:// and sub-paths)`); continue; }
      let target;
      try { target = decodeURIComponent(url.pathname); } catch { problems.add(`${label}: bad percent-encoding`); continue; }
      target = path.normalize(target);
      if (!target.startsWith(sitePrefix)) { problems.add(`${label}: points outside the site folder`); continue; }
      const targetRel = target.slice(sitePrefix.length).split(path.sep).join('/');
      let stat = null;
      try { stat = fs.statSync(target); } catch { /* missing */ }
      if (!stat) { problems.add(`${label}: ${targetRel} does not exist`); continue; }
      if (!stat.isFile()) { problems.add(`${label}: ${targetRel || './'} is a folder, not a file`); continue; }
      const fragment = url.hash ? decodeURIComponent(url.hash.slice(1)) : '';
      if (fragment && fragment !== 'top' && /\.html?$/.test(targetRel)) {
        const targetData = pageData.get(targetRel);
        if (targetData && !targetData.ids.has(fragment)) problems.add(`${label}: no id="${fragment}" in ${targetRel}`);
      }
    }
    result(rel, 'internal links and anchors', [...problems]);
  }
  return count;
}

async function checkWithoutJs(context, network) {
  for (const rel of NO_JS_PAGES) {
    if (!fs.existsSync(path.join(SITE_DIR, rel))) {
      result(rel, 'reads without JavaScript', `${rel} does not exist`);
      continue;
    }
    const page = await context.newPage();
    const seen = watch(page, network);
    try {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
      await page.setViewportSize(DESKTOP);
      await page.goto(fileUrl(SITE_DIR, rel), { waitUntil: 'load' });
      const state = await page.evaluate(() => {
        const main = document.querySelector('main');
        const text = main ? main.innerText.trim() : '';
        const visible = (el) => { const b = el.getBoundingClientRect(); return b.width > 0 && b.height > 0; };
        const navLinks = [...document.querySelectorAll('header nav a')].filter(visible).length;
        return { hasMain: Boolean(main), textLength: text.length, mainVisible: main ? visible(main) : false, navLinks };
      });
      const charts = await page.evaluate(probeCharts);
      const problems = [];
      if (!state.hasMain || !state.mainVisible) problems.push('no visible <main>');
      else if (state.textLength < 100) problems.push(`<main> shows only ${state.textLength} characters of text`);
      problems.push(...charts.empty.map((e) => `without JavaScript: ${e}`));
      if (state.navLinks === 0) problems.push('the header navigation shows no links');
      problems.push(...seen.missing.map((m) => `missing: ${m}`), ...network.take(page).map((u) => `blocked ${u}`));
      result(rel, 'reads without JavaScript', problems);
    } catch (err) {
      result(rel, 'reads without JavaScript', short(err.message, 400));
    } finally {
      await page.close();
    }
  }
}

// Adds what a watched page logged (console and page errors, blocked requests) to its problems,
// then closes it.
async function closeWatched(page, seen, network, problems) {
  problems.push(...seen.console.map((c) => `console error: ${c}`), ...seen.pageErrors.map((e) => `page error: ${e}`));
  problems.push(...network.take(page).map((u) => `blocked ${u}`));
  await page.close();
}

async function checkSearch(context, network) {
  const rel = 'index.html';
  const check = `search "${SEARCH_QUERY}" opens ${SEARCH_TARGET}`;
  const page = await context.newPage();
  const seen = watch(page, network);
  const problems = [];
  try {
    await page.setViewportSize(DESKTOP);
    await page.goto(fileUrl(SITE_DIR, rel), { waitUntil: 'load' });
    const input = page.locator('#search-input');
    if ((await input.count()) === 0) {
      problems.push('index.html has no #search-input');
    } else {
      await input.focus();
      await page.keyboard.type(SEARCH_QUERY, { delay: 20 });
      const items = page.locator('#search-results a');
      try {
        await items.first().waitFor({ state: 'visible', timeout: 5_000 });
      } catch {
        problems.push(`no visible #search-results a within 5 s of typing "${SEARCH_QUERY}"`);
      }
      // Loading the search index on demand must not trip the page's security policy.
      problems.push(...(await page.evaluate(probePolicy, AXE_URL)).map((p) => `content security policy: ${p}`));
      if (problems.length === 0) {
        const hrefs = await items.evaluateAll((as) => as.map((a) => ({ raw: a.getAttribute('href'), abs: a.href })));
        const index = hrefs.findIndex((h) => new URL(h.abs).pathname.endsWith(`/${SEARCH_TARGET}`));
        if (index < 0) {
          problems.push(`none of the ${hrefs.length} results links to ${SEARCH_TARGET}: ${short(hrefs.map((h) => h.raw).join(', '), 400)}`);
        } else {
          await Promise.all([
            page.waitForURL((u) => u.pathname.endsWith(`/${SEARCH_TARGET}`), { timeout: 5_000 }),
            items.nth(index).click(),
          ]).catch(() => problems.push(`clicking the result did not open ${SEARCH_TARGET} (now at ${page.url()})`));
          if (problems.length === 0) {
            const title = await page.title();
            if (!title || /not found/i.test(title)) problems.push(`the page opened has the title "${title}"`);
          }
        }
      }
    }
  } catch (err) {
    problems.push(short(err.message, 400));
  } finally {
    await closeWatched(page, seen, network, problems);
  }
  result(rel, check, problems);
}

// A search index of another format (a stale copy from a cache, seen here by relabelling the
// real one as it loads) must be refused with a visible note, never read into wrong results.
async function checkStaleSearchIndex(context, network) {
  const rel = 'index.html';
  const page = await context.newPage();
  const seen = watch(page, network);
  const problems = [];
  try {
    await page.addInitScript(() => {
      let index;
      Object.defineProperty(window, 'INFRABRIEF_SEARCH', {
        configurable: true,
        get: () => index,
        set: (value) => { index = Object.assign({}, value, { format: 1 }); },
      });
    });
    await page.setViewportSize(DESKTOP);
    await page.goto(fileUrl(SITE_DIR, rel), { waitUntil: 'load' });
    await page.locator('#search-input').focus();
    await page.keyboard.type(SEARCH_QUERY, { delay: 20 });
    const note = page.locator('#search-results .search-empty');
    try {
      await note.first().waitFor({ state: 'visible', timeout: 5_000 });
      const text = await note.first().textContent();
      if (!/out of date/.test(text ?? '')) problems.push(`the note reads "${text}"`);
      const status = await page.locator('#search-status').textContent();
      if (status !== text) problems.push(`the status for screen readers reads "${status}"`);
    } catch {
      problems.push('no visible note in #search-results within 5 s');
    }
    const links = await page.locator('#search-results a').count();
    if (links > 0) problems.push(`${links} results shown from an index of another format`);
  } catch (err) {
    problems.push(short(err.message, 400));
  } finally {
    await closeWatched(page, seen, network, problems);
  }
  result(rel, 'search refuses an index of another format', problems);
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  const started = Date.now();
  const pages = listHtml(SITE_DIR);
  console.log(`infrabrief browser suite: ${pages.length} pages in ${SITE_DIR}, concurrency ${CONCURRENCY}`);

  const { context, close } = await launch();
  const network = new NetworkLog();
  await context.route('**/*', (route) => {
    const request = route.request();
    if (isLocalScheme(request.url())) return route.continue();
    let page = null;
    try { page = request.frame().page(); } catch { /* a worker's request: no frame */ }
    if (page) network.add(page, request.url());
    else strayRequests.add(short(request.url(), 200));
    return route.abort('blockedbyclient');
  });

  const strayRequests = new Set(); // non-file requests not tied to a page (workers, the browser)
  let charts = 0;
  let links = 0;
  let shots = null;
  try {
    let done = 0;
    const tabs = [];
    await pool(pages, CONCURRENCY, async (rel) => {
      const tab = tabs.pop() ?? new Tab(context, network);
      const pageStarted = Date.now();
      const found = await checkPage(tab, rel);
      pageTimes.push([rel, Date.now() - pageStarted]);
      tabs.push(tab);
      charts += found;
      done += 1;
      if (done % 20 === 0 || done === pages.length) {
        console.log(`  ${done}/${pages.length} pages (${((Date.now() - started) / 1000).toFixed(0)} s)`);
      }
    });
    await Promise.all(tabs.map((tab) => tab.discard()));
    links = checkLinks(pages);
    await checkWithoutJs(context, network);
    await checkSearch(context, network);
    await checkStaleSearchIndex(context, network);
    if (!flags['no-screenshots']) {
      shots = await takeScreenshots(context, SITE_DIR, { concurrency: CONCURRENCY });
      result('(screenshots)', 'screenshots', shots.problems.map((p) => `${p.name}: ${p.error}`));
    }
  } finally {
    await close();
  }
  result('(outside any page)', 'network requests (non-file)', [...strayRequests].map((u) => `blocked ${u}`));

  // Summary
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log('');
  console.log(`checked ${pages.length} pages, ${charts} chart SVGs, ${links} internal links in ${seconds} s`);
  const slowest = [...pageTimes].sort((a, b) => b[1] - a[1]).slice(0, 5);
  if (slowest.length) console.log(`slowest pages: ${slowest.map(([rel, ms]) => `${rel} ${(ms / 1000).toFixed(1)} s`).join(', ')}`);
  if (shots) console.log(`screenshots: ${shots.count} in ${path.relative(process.cwd(), shots.dir) || '.'}`);
  if (axeNotes.size) {
    console.log('axe findings below "serious" (not failing):');
    for (const [rule, pagesWith] of [...axeNotes].sort()) console.log(`  ${rule}: ${pagesWith.size} page(s)`);
  }
  for (const note of [...new Set(notes)]) console.log(`note: ${note}`);
  if (failures.size) {
    console.log('');
    console.log(`FAILURES (${failed} checks on ${failures.size} page(s)):`);
    for (const [rel, byCheck] of [...failures].sort(([a], [b]) => a.localeCompare(b))) {
      console.log(`\n${rel}`);
      for (const [check, details] of byCheck) {
        console.log(`  ✗ ${check}`);
        for (const d of details.slice(0, 12)) console.log(`      ${d}`);
        if (details.length > 12) console.log(`      … and ${details.length - 12} more`);
      }
    }
    // The same failures by check, to see at a glance what breaks where.
    const byCheck = new Map();
    for (const [rel, checks] of failures) for (const check of checks.keys()) byCheck.set(check, [...(byCheck.get(check) ?? []), rel]);
    console.log('\nby check:');
    for (const [check, rels] of [...byCheck].sort()) {
      console.log(`  ${check}: ${rels.length} page(s): ${short(rels.sort().join(', '), 240)}`);
    }
  }
  console.log('');
  console.log(`browser: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then((code) => process.exit(code), (err) => {
    console.error(err.stack || err);
    process.exit(2);
  });
}

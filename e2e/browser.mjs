// Shared set-up for the end-to-end tests: Debian's Chromium driven by playwright-core.
//
// `cargo xtask test` builds the release bundle, serves it and sets:
//   AURORA_URL          the served page (under a sub-path, as a course site would host it)
//   AURORA_SCREENSHOTS  where screenshots go (target/e2e/)
//   AURORA_CHROMIUM     the browser (/usr/bin/chromium)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const url = process.env.AURORA_URL ?? 'http://127.0.0.1:8080/';
export const screenshots = process.env.AURORA_SCREENSHOTS ?? 'target/e2e';

// The flags this machine's Chromium needs: no sandbox as root, and no calls home.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };

export function launch() {
  return chromium.launch({
    executablePath: process.env.AURORA_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

// Opens the page at a viewport and waits for the app to draw. `problems` collects console
// errors, uncaught exceptions, failed requests and error responses while the page lives.
export async function open(browser, { viewport = DESKTOP, colorScheme = 'light', path = '' } = {}) {
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  // A request the browser itself cancelled (net::ERR_ABORTED: the page navigated on, as a test
  // does when it opens the next scenario before the icon has loaded) is not a failure of the
  // page; any other failed request is.
  page.on('requestfailed', (request) => {
    const why = request.failure()?.errorText;
    if (why === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${request.url()} (${why})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  await page.goto(new URL(path, url).href);
  await page.getByRole('heading', { level: 1, name: 'Aurora Playground' }).waitFor();
  return { page, context, problems };
}

export async function screenshot(page, name) {
  mkdirSync(screenshots, { recursive: true });
  const file = join(screenshots, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

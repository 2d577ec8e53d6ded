// The built page under its strict Content-Security-Policy, inside a sandboxed iframe, and without
// network requests once it has loaded. The policy is a <meta> element the build writes into
// index.html (xtask/src/csp.rs), so it holds on any static server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, launch, url } from './browser.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const POLICY =
  /^default-src 'self'; script-src 'self' 'wasm-unsafe-eval'( 'sha256-[A-Za-z0-9+/]{43}=')+; style-src 'self'; img-src 'self' blob:$/;

// A context whose every frame records CSP violations (in `window.__violations`), and a list of
// console errors and uncaught exceptions from any frame.
async function watchedContext() {
  const context = await browser.newContext({ viewport: DESKTOP });
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sample})`);
    });
  });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  return { context, page, problems };
}

const clock = (frame) => frame.locator('.clock .now').innerText();

// Waits for the diagram's zones and for the clock to move on from `from`.
async function drawnAndRunning(frame) {
  await frame.getByRole('group', { name: 'Availability Zone a' }).waitFor();
  const first = await clock(frame);
  for (let i = 0; i < 50; i += 1) {
    if ((await clock(frame)) !== first) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`the clock stayed at ${first}`);
}

// The stylesheet is applied: the timeline's track has the height it gives it (an SVG's own
// default is 150px).
async function styled(frame) {
  const height = await frame.locator('.timeline .marks').evaluate((el) => getComputedStyle(el).height);
  assert.equal(height, '12px', 'the page\'s stylesheet is applied');
}

// A few seconds of use: faults by button, a node selected, play and pause, the timeline, speed.
async function play(frame) {
  await frame.getByRole('button', { name: 'Fail AZ c', exact: true }).click();
  await frame.getByRole('button', { name: /^Storage node az-a-1, / }).click();
  await frame.getByRole('button', { name: 'Pause', exact: true }).click();
  await frame.getByRole('slider', { name: 'Timeline' }).fill('5');
  await frame.getByRole('slider', { name: 'Speed' }).fill('5');
  await frame.getByRole('button', { name: 'Play', exact: true }).click();
  await frame.getByRole('button', { name: 'Heal AZ c', exact: true }).click();
  await new Promise((resolve) => setTimeout(resolve, 1500));
}

test('the page runs under its strict policy with no violation, and the policy is enforced', async () => {
  const { context, page, problems } = await watchedContext();
  await page.goto(new URL('?scenario=replicas&speed=0.05', url).href);
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.match(policy, POLICY);
  await drawnAndRunning(page);
  await styled(page);
  await play(page);
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(problems, []);
  assert.equal(await page.locator('#aurora-error').count(), 0, 'no error panel');

  // The policy is in force: an injected inline script does not run, an inline style is refused.
  const blocked = await page.evaluate(async () => {
    const script = document.createElement('script');
    script.textContent = 'window.__injected = true;';
    document.body.append(script);
    const style = document.createElement('style');
    style.textContent = 'body { display: none; }';
    document.head.append(style);
    await new Promise((resolve) => setTimeout(resolve, 100));
    return {
      ran: window.__injected === true,
      hidden: getComputedStyle(document.body).display === 'none',
      violations: window.__violations.map((v) => v.split(' ')[0]),
    };
  });
  assert.deepEqual(blocked, { ran: false, hidden: false, violations: ['script-src-elem', 'style-src-elem'] });
  await context.close();
});

test('the page runs inside <iframe sandbox="allow-scripts">, with an opaque origin', async () => {
  const { context, page, problems } = await watchedContext();
  // A course page on the same server that sandboxes the playground.
  const outer = new URL('sandboxed-course-page.html', url).href;
  await page.route(outer, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><title>course</title>
        <iframe sandbox="allow-scripts" src="./?scenario=az-failure&amp;speed=0.05&amp;autoplay=1"
          title="Aurora Playground" width="1200" height="760"></iframe>`,
    }),
  );
  await page.goto(outer);
  const frame = page.frameLocator('iframe');
  await drawnAndRunning(frame);
  const inner = page.frames().find((f) => f !== page.mainFrame());
  assert.equal(await inner.evaluate(() => self.origin), 'null', 'the sandbox gives an opaque origin');
  await styled(frame);
  await assert.rejects(inner.evaluate(() => localStorage.length), /SecurityError|denied/, "storage stays closed");
  await play(frame);
  // The sandbox allows no clipboard: the page offers the link to copy by hand, without an error
  // and without claiming it copied anything.
  await frame.getByRole('button', { name: 'Copy link', exact: true }).click();
  await frame.getByText('Copy the link below', { exact: false }).first().waitFor();
  assert.equal(await frame.getByText('Link copied', { exact: false }).count(), 0);
  assert.deepEqual(await inner.evaluate(() => window.__violations), []);
  assert.deepEqual(problems, []);
  assert.equal(await frame.locator('#aurora-error').count(), 0, 'no error panel');
  await context.close();
});

test('no network request once the diagram is drawn, through faults, scrubbing and speed', async () => {
  const { context, page, problems } = await watchedContext();
  let loaded = false;
  let icon = null;
  const early = [];
  const late = [];
  // Chromium itself fetches the page's declared icon again when the address changes (the
  // address follows the run), and routing turns its cache off: that is the browser, not the
  // page, and it is let through. Any other request once the page is drawn is refused.
  await context.route('**/*', (route) => {
    const request = route.request().url();
    if (!loaded) {
      early.push(request);
      return route.continue();
    }
    if (request === icon) return route.continue();
    late.push(request);
    return route.abort();
  });
  await page.goto(new URL('?scenario=failover&speed=0.1', url).href);
  await drawnAndRunning(page);
  icon = await page.locator('link[rel="icon"]').evaluate((link) => link.href);
  loaded = true;
  await play(page);
  await page.keyboard.press('2');
  await page.keyboard.press('x');
  await page.keyboard.press('?');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Restart the scenario' }).click();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.ok(early.some((u) => u.endsWith('.wasm')), `the .wasm was loaded before: ${early}`);
  assert.deepEqual(late, [], 'requests after the first drawn frame');
  assert.deepEqual(problems, []);
  await context.close();
});

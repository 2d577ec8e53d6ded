// The playground as a first-time student meets it: the first screen says what this is and
// where to start, figures are honest (failover timed from the fault, a stall shows while it
// lasts), the keyboard and a screen reader can do what the mouse does, the reached speed is
// shown, and axe finds no serious or critical violation. Screenshots at desktop and phone,
// light and dark, at ×1 and ×100.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DESKTOP, PHONE, launch, open, screenshot, url } from './browser.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const inFirstScreen = async (locator, viewport) => {
  const box = await locator.boundingBox();
  return box && box.y >= 0 && box.y + box.height <= viewport.height;
};

test('first screen: what this is, a lessons slot, the scenario picker by title, and the legend', async () => {
  const { page, context } = await open(browser, { path: '?autoplay=0' });
  assert.match(await page.locator('.intro-what').innerText(), /simulated Amazon Aurora cluster/);
  assert.ok(await inFirstScreen(page.locator('.intro-what'), DESKTOP), 'the explanation is on the first screen');
  const picker = page.getByRole('combobox', { name: 'Scenario' });
  assert.ok(await inFirstScreen(picker, DESKTOP), 'the scenario picker is on the first screen');
  const selected = await picker.evaluate((s) => s.options[s.selectedIndex].textContent);
  assert.equal(selected, 'Read replicas follow the redo stream', 'a human title, not a slug');
  assert.equal(await picker.inputValue(), 'replicas', 'the slug stays the value, for links');
  assert.equal(await page.locator('#lessons').count(), 1, 'a region for the lessons');
  const legend = page.getByRole('list', { name: 'Legend' });
  assert.ok(await inFirstScreen(legend, DESKTOP), 'the legend is on the page, not only in help');
  assert.match(await legend.innerText(), /redo and acks/);
  await context.close();
});

test('every abbreviation is defined: a glossary, and tooltips where the terms appear', async () => {
  const { page, context } = await open(browser, { path: '?autoplay=0' });
  const glossary = page.getByRole('region', { name: 'Glossary' });
  await glossary.waitFor();
  const text = await glossary.innerText();
  for (const [abbr, full] of [
    ['VDL', 'Volume Durable LSN'],
    ['VCL', 'Volume Complete LSN'],
    ['PGCL', 'Protection Group Complete LSN'],
    ['SCL', 'Segment Complete LSN'],
    ['LSN', 'Log Sequence Number'],
    ['LAL', 'LSN Allocation Limit'],
  ]) {
    assert.ok(text.includes(`${abbr} — ${full}`), `${abbr} defined in the glossary`);
  }
  const vdl = page.locator('.intro abbr', { hasText: 'VDL' });
  assert.match(await vdl.getAttribute('title'), /^Volume Durable LSN: /);
  await context.close();
});

test('failover: timed from the crash, with the control plane’s missed checks beside it', async () => {
  // The writer crashes at 5 s; checks every 2.5 s last pass at 2.5 s, miss at 5, 7.5 and 10 s,
  // and the promotion's engine restart takes 6.5 s.
  const { page, context } = await open(browser, { path: '?scenario=failover&t=20000000' });
  const panel = page.getByRole('region', { name: 'Failover and recovery' });
  await panel.waitFor();
  const text = await panel.innerText();
  assert.match(text, /done in 5 s after the failure/, text);
  assert.match(text, /3 missed checks, 7\.5 s since the last good one/, text);
  assert.match(text, /replaced instance-1 in 11\.5 s/, text);
  assert.match(text, /DNS: cluster endpoint flips\s*done at 16\.\d{3} \d{3} s → instance-\d/, text);
  await context.close();
});

test('a write stall shows its waiting work while it lasts; medians without samples say so', async () => {
  // AZ b fails at 1 s, the scenario fails AZ c at 2 s: 2 of 6 copies left, writes stall.
  const { page, context } = await open(browser, {
    path: '?scenario=az-failure&actions=1000000.fail-az.b&t=3600000',
  });
  const waiting = page.locator('.charts .waiting');
  await waiting.waitFor();
  assert.match(await waiting.getAttribute('class'), /stalled/);
  assert.match(await waiting.innerText(), /commits? waiting, oldest for 1\.\d s/);
  const clients = await page.locator('.figures div', { hasText: 'Client write / read p50' }).locator('dd').innerText();
  assert.equal(clients, 'none yet / none yet', 'no client requests in this scenario, not "0 µs"');
  await context.close();
});

test('before any data the throughput says so; a replica that is down has an empty lag bar', async () => {
  let { page, context } = await open(browser, { path: '?autoplay=0' });
  await page.locator('.charts').waitFor();
  assert.match(await page.locator('.charts figure').nth(1).innerText(), /no commits yet/);
  await context.close();
  ({ page, context } = await open(browser, { path: '?scenario=replicas&actions=500000.crash.instance-2&t=1500000' }));
  const down = page.locator('.lag-list li.down');
  await down.waitFor();
  assert.match(await down.innerText(), /instance-2.*down/s);
  assert.equal(await down.locator('.lag-fill').getAttribute('width'), '0.0');
  await context.close();
});

test('adding a replica at a slow speed says how long five minutes take and which speed shows it', async () => {
  const { page, context } = await open(browser, { path: '?scenario=replicas&speed=0.01' });
  await page.getByRole('button', { name: 'Add replica in AZ a', exact: true }).click();
  const notices = page.locator('.notices');
  await page.waitForFunction(() => /takes 5 min 0 s of simulated time/.test(document.querySelector('.notices')?.textContent ?? ''));
  assert.match(await notices.innerText(), /at ×50 \(press \+ to go faster\) it takes about 6 s/);
  await context.close();
});

test('keyboard: a skip link, a help dialog that keeps focus, segments by keyboard, actions announced', async () => {
  const { page, context } = await open(browser, { path: '?autoplay=0' });
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip the diagram to the Faults panel' });
  assert.ok(await skip.evaluate((el) => el === document.activeElement), 'the first Tab stop is the skip link');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'faults-title');

  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await dialog.waitFor();
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press(i % 2 ? 'Shift+Tab' : 'Tab');
    assert.ok(
      await dialog.evaluate((d) => d.contains(document.activeElement)),
      'Tab stays inside the modal help',
    );
  }
  await page.keyboard.press('Escape');

  const segment = page.getByRole('button', { name: /^Segment 0 \(PG 0, copy A\)/ });
  await segment.focus();
  await page.keyboard.press('Enter');
  await page.locator('.inspector .selected-name').waitFor();
  assert.match(await page.locator('.inspector .selected-name').innerText(), /Segment 0/);

  const node = page.getByRole('button', { name: /^Storage node az-a-1, healthy$/ });
  await node.focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('x');
  await page.waitForFunction(() => /You crashed az-a-1\./.test(document.querySelector('#announcer')?.textContent ?? ''));
  assert.equal(await page.locator('#announcer').getAttribute('aria-live'), 'polite');
  await context.close();
});

test('a link action the model refuses becomes a notice, and the log names nodes by name', async () => {
  const { page, context } = await open(browser, {
    path: '?scenario=replicas&actions=1000.lose.999_2000.crash.instance-1&t=5000',
  });
  await page.waitForFunction(() => /could not be applied/.test(document.querySelector('.notices')?.textContent ?? ''));
  assert.match(await page.locator('.notices').innerText(), /action at 0\.001 000 s could not be applied: .*999/);
  await page.locator('.log-lines').waitFor();
  const log = await page.locator('.log-lines').innerText();
  assert.match(log, /fault: crash instance-1/);
  assert.doesNotMatch(log, /crash node \d/);
  await context.close();
});

test('speed: when the model cannot keep up, the page shows the speed asked and the speed reached', async () => {
  const { page, context } = await open(browser, { path: '?scenario=e-commerce&speed=10000' });
  const behind = page.locator('.playback .behind');
  await behind.waitFor({ timeout: 10000 });
  const text = await behind.innerText();
  const m = text.match(/^×10000 asked, ×([\d.]+) reached/);
  assert.ok(m, text);
  assert.ok(Number(m[1]) < 10000 * 0.97, text);
  await context.close();
});

test('axe: no serious or critical accessibility violations', async () => {
  // Only this test lifts the page's Content-Security-Policy, to inject axe itself.
  const context = await browser.newContext({ viewport: DESKTOP, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(new URL('?autoplay=0', url).href);
  await page.getByRole('heading', { level: 1, name: 'Aurora Playground' }).waitFor();
  await page.locator('.charts').waitFor();
  const require = createRequire(import.meta.url);
  await page.addScriptTag({ content: readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') });
  const violations = await page.evaluate(async () => {
    // Still open: the diagram's SVG buttons (zones, instance cards) are named with more words
    // than the text drawn on them ("Availability Zone a, healthy" for "AZ a"), which
    // label-content-name-mismatch reports; every other rule must pass.
    const r = await globalThis.axe.run(document, {
      resultTypes: ['violations'],
      rules: { 'label-content-name-mismatch': { enabled: false } },
    });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`);
  });
  assert.deepEqual(violations, []);
  await context.close();
});

for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  for (const scheme of ['light', 'dark']) {
    for (const speed of [1, 100]) {
      test(`screenshot: ${label}, ${scheme}, ×${speed}`, async () => {
        const { page, context, problems } = await open(browser, {
          viewport,
          colorScheme: scheme,
          path: `?scenario=replicas&speed=${speed}`,
        });
        await page.waitForTimeout(2500);
        await page.screenshot({ path: `${process.env.AURORA_SCREENSHOTS ?? 'target/e2e'}/student-${label}-${scheme}-x${speed}-top.png` });
        await screenshot(page, `student-${label}-${scheme}-x${speed}`);
        assert.deepEqual(problems, []);
        await context.close();
      });
    }
  }
}

test('embeds: the recommended iframe size holds the diagram and timeline, and the story plays within seconds', async () => {
  // The size "Copy embed code" writes: 100% wide up to 1000 px, 720 px tall.
  const viewport = { width: 1000, height: 720 };
  const { page, context } = await open(browser, { viewport, path: '?embed=1&scenario=az-failure&autoplay=1' });
  await page.waitForTimeout(3000);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(height <= viewport.height, `the embed is ${height}px tall in a ${viewport.height}px frame`);
  assert.ok(await inFirstScreen(page.getByRole('slider', { name: 'Timeline' }), viewport), 'timeline visible');
  // AZ c fails at 2 s of simulated time: within a few seconds of wall time.
  await page.getByRole('button', { name: /^Availability Zone c, failed/ }).waitFor({ timeout: 8000 });
  await screenshot(page, 'student-embed-desktop');
  await context.close();
});

test('paused, the address bar holds the moment; "Copy embed code" gives an iframe', async () => {
  const { page, context } = await open(browser, { path: '?scenario=replicas&speed=0.1' });
  await page.waitForTimeout(1000);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.waitForFunction(() => /[?&]t=[1-9]\d*/.test(location.search));
  await page.getByRole('button', { name: 'Copy embed code' }).click();
  const code = await page.getByRole('textbox', { name: 'Embed code for this run' }).inputValue();
  assert.match(code, /^<iframe src="[^"]*embed=1[^"]*" title="Aurora Playground: Read replicas follow the redo stream" width="100%" height="720"/);
  await context.close();
});

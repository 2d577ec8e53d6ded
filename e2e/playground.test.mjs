// Playing with the model: faults by accessible name, the event log, share links, keyboard use,
// embeds, the course page, and screenshots mid-run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, PHONE, launch, open, screenshot, url } from './browser.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const figure = async (page, name) => {
  const text = await page.locator('.figures div', { hasText: name }).locator('dd').innerText();
  return Number(text.replace(/[^\d]/g, ''));
};
const logText = (page) => page.locator('.log-lines').innerText();
const simSeconds = async (page) =>
  Number((await page.locator('.clock .now').innerText()).replace(/[^\d.]/g, '').replace(/^(\d+\.\d+).*/, '$1'));

test('failing an AZ by its name: commits continue on 4 of 6 and the log says why', async () => {
  const { page, context, problems } = await open(browser, { path: '?scenario=replicas&speed=0.05' });
  await page.waitForFunction(() => document.querySelector('.clock .now')?.textContent !== '0.000 000 s');
  await page.waitForTimeout(1000);
  assert.ok((await figure(page, 'Commits acknowledged')) > 0, 'commits before the fault');

  await page.getByRole('button', { name: 'Fail AZ c', exact: true }).click();
  await page.getByRole('button', { name: 'Availability Zone c, failed', exact: true }).waitFor();
  await page.waitForTimeout(300);
  let log = await logText(page);
  assert.match(log, /you failed AZ c/);
  assert.match(log, /fault: fail AZ c/);
  assert.match(log, /segment \d+ of PG \d+ is now unavailable/);
  await screenshot(page, 'az-c-failed-desktop');

  const before = await figure(page, 'Commits acknowledged');
  await page.waitForTimeout(2000);
  const after = await figure(page, 'Commits acknowledged');
  assert.ok(after > before, `commits continue: ${before} then ${after}`);
  log = await logText(page);
  assert.match(log, /PG \d+ reached write quorum at LSN \d+ \(4 of 6\)/);
  assert.match(log, /commits? acknowledged: VDL \d+ ≥ commit LSN/);
  assert.match(await page.locator('.invariants').innerText(), /every property holds/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a shared link opens the same run at the same moment', async () => {
  const { page, context } = await open(browser, { path: '?scenario=failover&speed=0.1' });
  await page.waitForTimeout(800);
  await page.getByRole('button', { name: 'Partition AZ b', exact: true }).click();
  await page.waitForTimeout(800);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.getByRole('button', { name: 'Copy link' }).click();
  const link = await page.getByRole('textbox', { name: 'Link to this run' }).inputValue();
  assert.match(link, /actions=\d+\.cut-az\.b/);
  const fingerprint = await page.locator('.fingerprint').innerText();
  const clock = await page.locator('.clock .now').innerText();

  const other = await context.newPage();
  await other.goto(link);
  await other.getByRole('heading', { level: 1, name: 'Aurora Playground' }).waitFor();
  assert.equal(await other.locator('.clock .now').innerText(), clock);
  assert.equal(await other.locator('.fingerprint').innerText(), fingerprint);
  assert.equal(
    await other.getByRole('button', { name: /^Availability Zone b, / }).getAttribute('aria-label'),
    'Availability Zone b, cut off',
  );
  assert.equal(await other.getByRole('button', { name: 'Play', exact: true }).count(), 1, 'opens paused');
  await context.close();
});

test('rewinding and playing on reproduces the run', async () => {
  const { page, context } = await open(browser, { path: '?scenario=quorum-write&speed=0.2' });
  await page.waitForTimeout(1500);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const clock = await page.locator('.clock .now').innerText();
  const fingerprint = await page.locator('.fingerprint').innerText();
  const timeline = page.getByRole('slider', { name: 'Timeline' });
  await timeline.fill('10');
  assert.equal(await page.locator('.clock .now').innerText(), '0.010 000 s');
  assert.notEqual(await page.locator('.fingerprint').innerText(), fingerprint);
  const target = await page.evaluate(
    (text) => Number(text.replace(/[^\d]/g, '')) / 1000,
    clock,
  );
  await timeline.fill(String(target));
  assert.equal(await page.locator('.clock .now').innerText(), clock);
  assert.equal(await page.locator('.fingerprint').innerText(), fingerprint);
  await context.close();
});

test('keyboard: select a zone, fail it, heal it, help and Escape', async () => {
  const { page, context } = await open(browser, { path: '?scenario=az-failure&autoplay=0' });
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('2');
  await page.getByRole('heading', { name: 'Availability Zone b, healthy' }).waitFor();
  await page.keyboard.press('x');
  await page.getByRole('button', { name: 'Availability Zone b, failed', exact: true }).waitFor();
  await page.keyboard.press('x');
  await page.getByRole('button', { name: 'Availability Zone b, healthy', exact: true }).waitFor();

  // Tab reaches the diagram's nodes; Enter selects one for the inspector.
  const node = page.getByRole('button', { name: /^Storage node az-a-1, / });
  await node.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Storage node az-a-1, healthy' }).waitFor();
  await page.keyboard.press('x');
  await page.getByRole('button', { name: 'Storage node az-a-1, down', exact: true }).waitFor();

  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /fail or heal the selection/);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });

  await page.keyboard.press(' ');
  await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
  await context.close();
});

test('every control and node has an accessible name', async () => {
  const { page, context } = await open(browser, { path: '?scenario=e-commerce&autoplay=0' });
  const unnamed = await page.evaluate(() => {
    const items = document.querySelectorAll('button, input, select, [role=button], [tabindex="0"]');
    const missing = [];
    for (const el of items) {
      const label =
        el.getAttribute('aria-label') ||
        (el.id && document.querySelector(`label[for="${el.id}"]`)?.textContent) ||
        el.closest('label')?.textContent ||
        el.textContent;
      if (!label || !label.trim()) missing.push(el.outerHTML.slice(0, 80));
    }
    return { count: items.length, missing };
  });
  assert.deepEqual(unnamed.missing, []);
  assert.ok(unnamed.count > 60, `${unnamed.count} named controls`);
  assert.equal(
    await page.getByRole('button', { name: /^DB instance instance-\d+, replica tier \d+, lag/ }).count(),
    10,
  );
  await context.close();
});

test('no sequence of clicks breaks the page', async () => {
  const { page, context, problems } = await open(browser, { path: '?scenario=e-commerce&speed=1' });
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let i = 0; i < 60; i++) {
    const buttons = page.locator('main button, aside button, .playback button, svg [role=button]');
    const n = await buttons.count();
    const target = buttons.nth(Math.floor(random() * n));
    if (await target.isVisible()) await target.click({ timeout: 2000 }).catch(() => {});
    if (i % 10 === 0) await page.keyboard.press(['n', '+', '-', 'ArrowLeft', 'f', 'x'][i % 6]);
  }
  await page.waitForTimeout(500);
  assert.equal(await page.locator('#aurora-error').count(), 0, 'no error panel');
  assert.deepEqual(problems, []);
  await context.close();
});

test('embed: compact chrome, its parameters, and a plain notice for a bad one', async () => {
  const { page, context } = await open(browser, {
    path: '?embed=1&scenario=az-failure&seed=3&speed=10&autoplay=1&colour=%3Cscript%3Ealert(1)%3C/script%3E',
  });
  assert.equal(await page.locator('.inspector, .log, .charts').count(), 0);
  assert.equal(await page.locator('.scenario-name').innerText(), 'az-failure');
  const notice = await page.locator('.notices').innerText();
  assert.match(notice, /"colour" is not one the playground knows/);
  assert.equal(await page.locator('.notices script').count(), 0);
  // The scenario fails AZ c at 2 s and heals it at 16 s: at 10× that is a
  // window of 1.4 s of wall time, so the test waits for the failure rather
  // than sleeping a fixed time a slow machine might overshoot.
  const azC = page.getByRole('button', { name: /^Availability Zone c, / });
  await page.waitForFunction(
    () => document.querySelector('[aria-label^="Availability Zone c, "]')?.getAttribute('aria-label') === 'Availability Zone c, failed',
    null,
    { timeout: 10000 },
  );
  const at = await simSeconds(page);
  assert.ok(at >= 2 && at < 16, `autoplay at 10× reached the outage (at ${at} s)`);
  assert.equal(await azC.getAttribute('aria-label'), 'Availability Zone c, failed');
  await screenshot(page, 'embed-az-failure');
  await context.close();
});

test('the course page shows two embeds inside its prose', async () => {
  const { context } = await open(browser);
  const page = await context.newPage();
  await page.goto(new URL('course-example.html', url).href);
  const frames = page.locator('iframe');
  assert.equal(await frames.count(), 2);
  for (let i = 0; i < 2; i++) {
    await frames.nth(i).scrollIntoViewIfNeeded();
    const frame = page.frameLocator('iframe').nth(i);
    await frame.getByRole('heading', { level: 1, name: 'Aurora Playground' }).waitFor();
    assert.equal(await frame.getByRole('group', { name: /^Availability Zone [abc]$/ }).count(), 3);
  }
  await page.waitForTimeout(1000);
  await screenshot(page, 'course-example');
  await context.close();
});

test('a busy cluster: dozens of messages fly at once, drawn as one path per kind', async () => {
  const { page, context, problems } = await open(browser, {
    path: '?scenario=e-commerce&speed=0.001&t=1000000&autoplay=1&replicas=15&actions=0.load.20000-50',
  });
  await page.waitForTimeout(2500);
  const drawn = await page.evaluate(() =>
    [...document.querySelectorAll('.traffic .flights')].map((g) => ({
      kind: [...g.classList].find((c) => c !== 'flights'),
      paths: g.querySelectorAll('path').length,
      dots: (g.querySelector('.flight-dots').getAttribute('d').match(/h0/g) ?? []).length,
      trails: (g.querySelector('.flight-trails').getAttribute('d').match(/L/g) ?? []).length,
    })),
  );
  const kinds = drawn.map((d) => d.kind);
  assert.equal(new Set(kinds).size, kinds.length, `one group per kind: ${kinds}`);
  assert.ok(kinds.includes('write') && kinds.includes('replicate'), `redo and the replica stream: ${kinds}`);
  for (const d of drawn) {
    assert.equal(d.paths, 3, `${d.kind}: trails, halos, dots`);
    assert.equal(d.dots, d.trails, `${d.kind}: a trail behind every dot`);
  }
  const total = drawn.reduce((sum, d) => sum + d.dots, 0);
  // Under load a PG's next redo batch waits for the one before to reach quorum, so batches are
  // fewer and larger: dozens in flight at this load, not hundreds.
  assert.ok(total >= 40, `messages drawn in flight: ${total}`);
  await screenshot(page, 'busy-cluster');
  assert.deepEqual(problems, []);
  await context.close();
});

test('while playing, the panels update a few times a second and the diagram every frame', async () => {
  const { page, context, problems } = await open(browser, { path: '?scenario=replicas&speed=0.05&autoplay=1' });
  await page.waitForTimeout(800);
  // For one second, on every animation frame: the clock (drawn every frame) and the count of
  // commits in the measurements panel.
  const seen = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const clocks = new Set();
        const commits = new Set();
        const start = performance.now();
        const sample = () => {
          clocks.add(document.querySelector('.clock .now')?.textContent);
          const cell = [...document.querySelectorAll('.figures div')].find((d) =>
            d.textContent.includes('Commits acknowledged'),
          );
          commits.add(cell?.querySelector('dd')?.textContent);
          if (performance.now() - start < 1000) requestAnimationFrame(sample);
          else resolve({ clocks: clocks.size, commits: commits.size });
        };
        requestAnimationFrame(sample);
      }),
  );
  assert.ok(seen.clocks >= 10 && seen.clocks > 2 * seen.commits, `the clock moved on ${seen.clocks} frames`);
  assert.ok(seen.commits >= 2 && seen.commits <= 6, `the panel showed ${seen.commits} values in a second`);
  // Paused, a move along the timeline shows in the panels at once, both ways.
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const clock = await page.locator('.clock .now').innerText();
  const before = await figure(page, 'Commits acknowledged');
  assert.ok(before > 0, 'commits before rewinding');
  const timeline = page.getByRole('slider', { name: 'Timeline' });
  await timeline.fill('1');
  assert.ok((await figure(page, 'Commits acknowledged')) < before, 'rewinding updates the panel');
  await timeline.fill(String(Number(clock.replace(/[^\d]/g, '')) / 1000));
  assert.equal(await page.locator('.clock .now').innerText(), clock);
  assert.equal(await figure(page, 'Commits acknowledged'), before, 'and coming back restores it');
  assert.deepEqual(problems, []);
  await context.close();
});

test('reduced motion: nothing starts moving by itself', async () => {
  const context = await browser.newContext({ viewport: DESKTOP, reducedMotion: 'reduce' });
  const page = await context.newPage();
  // Slow enough that, without reduced motion, messages would fly as dots.
  await page.goto(new URL('?scenario=replicas&speed=0.001', url).href);
  await page.getByRole('heading', { level: 1, name: 'Aurora Playground' }).waitFor();
  await page.waitForTimeout(800);
  assert.equal(await page.getByRole('button', { name: 'Play', exact: true }).count(), 1);
  assert.equal(await page.locator('.clock .now').innerText(), '0.000 000 s');
  await page.getByRole('button', { name: 'Next event' }).click();
  await page.getByRole('button', { name: 'Next event' }).click();
  assert.equal(await page.locator('.flight circle, .flight-dots').count(), 0, 'no moving dots');
  // Played at a speed slow enough to draw messages one by one, they are drawn as still links.
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await page.waitForTimeout(1500);
  assert.ok((await page.locator('.traffic line.pulse').count()) > 0, 'messages shown as links');
  assert.equal(await page.locator('.flight circle, .flight-dots').count(), 0, 'still no moving dots');
  await context.close();
});

test('screenshots mid-failover at desktop and phone sizes', async () => {
  for (const [name, viewport, colorScheme] of [
    ['failover-desktop', DESKTOP, 'light'],
    ['failover-phone', PHONE, 'light'],
    ['failover-desktop-dark', DESKTOP, 'dark'],
  ]) {
    const { page, context } = await open(browser, {
      viewport,
      colorScheme,
      path: '?scenario=failover&speed=0.002&t=11002000&autoplay=1',
    });
    await page.waitForTimeout(1500);
    assert.match(await page.locator('.recovery').innerText(), /Failover/);
    if (viewport === PHONE) {
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(scrollWidth <= PHONE.width, `page is ${scrollWidth}px wide`);
    }
    await screenshot(page, name);
    await context.close();
  }
});

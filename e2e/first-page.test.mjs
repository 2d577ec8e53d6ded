// The first page: the product name and one protection group over three Availability Zones.
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

const zoneNames = ['Availability Zone a', 'Availability Zone b', 'Availability Zone c'];

test('shows three Availability Zones with two segment slots each', async () => {
  const { page, context } = await open(browser);
  const zones = page.getByRole('group', { name: /^Availability Zone / });
  assert.equal(await zones.count(), 3);
  for (const [i, name] of zoneNames.entries()) {
    const zone = zones.nth(i);
    assert.equal(await zone.getAttribute('aria-label'), name);
    const slots = zone.getByRole('img', { name: /^Segment slot / });
    assert.equal(await slots.count(), 2);
    assert.equal(await slots.nth(0).getAttribute('aria-label'), `Segment slot 1 in ${name}`);
    assert.equal(await slots.nth(1).getAttribute('aria-label'), `Segment slot 2 in ${name}`);
  }
  assert.match(await page.locator('figcaption').innerText(), /6 copies/);
  await context.close();
});

test('loads with no console errors, exceptions or failed requests', async () => {
  const { page, context, problems } = await open(browser);
  // Give late requests (favicon, wasm compilation warnings) a moment to show up.
  await page.waitForLoadState('networkidle');
  assert.deepEqual(problems, []);
  assert.equal(await page.locator('#aurora-error').count(), 0, 'no error panel');
  await context.close();
});

test('loads every asset from under its own path, so it can be hosted anywhere', async () => {
  const { page, context } = await open(browser);
  await page.waitForLoadState('networkidle');
  const base = new URL('.', url).href;
  const resources = await page.evaluate(() =>
    performance.getEntriesByType('resource').map((entry) => entry.name),
  );
  assert.ok(resources.some((name) => name.endsWith('.wasm')), `a .wasm among ${resources}`);
  for (const name of resources) {
    assert.ok(name.startsWith(base), `${name} is under ${base}`);
  }
  await context.close();
});

test('desktop: the zones sit side by side', async () => {
  const { page, context } = await open(browser, { viewport: DESKTOP });
  const boxes = await Promise.all(
    zoneNames.map((name) => page.getByRole('group', { name }).boundingBox()),
  );
  assert.ok(boxes.every((box) => box && Math.abs(box.y - boxes[0].y) < 1), 'one row');
  assert.ok(boxes[0].x < boxes[1].x && boxes[1].x < boxes[2].x, 'a, b, c from left to right');
  await screenshot(page, 'first-page-desktop');
  await context.close();
});

test('phone, 360px wide: everything fits without sideways scrolling', async () => {
  const { page, context } = await open(browser, { viewport: PHONE });
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= PHONE.width, `page is ${scrollWidth}px wide`);
  for (const name of zoneNames) {
    const box = await page.getByRole('group', { name }).boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, `${name} is on screen`);
  }
  await screenshot(page, 'first-page-phone');
  await context.close();
});

test('dark colour scheme: the page follows the system theme', async () => {
  const { page, context } = await open(browser, { colorScheme: 'dark' });
  const background = await page.evaluate(
    () => getComputedStyle(document.documentElement).backgroundColor,
  );
  const [r, g, b] = background.match(/\d+/g).map(Number);
  assert.ok(r + g + b < 150, `dark background, got ${background}`);
  await screenshot(page, 'first-page-dark');
  await context.close();
});

// The page as it first loads: the three-AZ diagram, a clean console, relative assets, and the
// layouts at desktop and phone sizes in light and dark.
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

test('draws three Availability Zones, each with its storage nodes and two copies of every PG', async () => {
  const { page, context } = await open(browser, { path: '?autoplay=0' });
  const zones = page.getByRole('group', { name: /^Availability Zone [abc]$/ });
  assert.equal(await zones.count(), 3);
  for (const [i, name] of zoneNames.entries()) {
    const zone = zones.nth(i);
    assert.equal(await zone.getAttribute('aria-label'), name);
    const letter = name.at(-1);
    const storage = zone.getByRole('button', { name: new RegExp(`^Storage node az-${letter}-\\d, healthy$`) });
    assert.equal(await storage.count(), 4);
    const copies = zone.getByRole('button', { name: /^Segment \d+ of PG 0 \(copy [A-F]\)/ });
    assert.equal(await copies.count(), 2, `two copies of PG 0 in ${name}`);
  }
  await context.close();
});

test('loads with no console errors, exceptions or failed requests', async () => {
  const { page, context, problems } = await open(browser);
  // Give late requests (favicon, wasm compilation warnings) a moment to show up.
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(1500);
  assert.deepEqual(problems, []);
  assert.equal(await page.locator('#aurora-error').count(), 0, 'no error panel');
  await context.close();
});

test('loads every asset from under its own path, and nothing after load', async () => {
  const { page, context } = await open(browser);
  await page.waitForLoadState('networkidle');
  const loaded = await page.evaluate(() => performance.getEntriesByType('resource').length);
  await page.waitForTimeout(2000);
  const base = new URL('.', url).href;
  const resources = await page.evaluate(() =>
    performance.getEntriesByType('resource').map((entry) => entry.name),
  );
  assert.ok(resources.some((name) => name.endsWith('.wasm')), `a .wasm among ${resources}`);
  for (const name of resources) {
    assert.ok(name.startsWith(base), `${name} is under ${base}`);
  }
  assert.equal(resources.length, loaded, 'no requests while playing');
  await context.close();
});

test('desktop: the zones sit side by side', async () => {
  const { page, context } = await open(browser, { viewport: DESKTOP });
  const boxes = await Promise.all(
    zoneNames.map((name) => page.getByRole('group', { name, exact: true }).boundingBox()),
  );
  assert.ok(boxes.every((box) => box && Math.abs(box.y - boxes[0].y) < 1), 'one row');
  assert.ok(boxes[0].x < boxes[1].x && boxes[1].x < boxes[2].x, 'a, b, c from left to right');
  await page.waitForTimeout(1500);
  await screenshot(page, 'first-page-desktop');
  await context.close();
});

test('phone, 360px wide: everything fits without sideways scrolling', async () => {
  const { page, context } = await open(browser, { viewport: PHONE });
  await page.waitForTimeout(1000);
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= PHONE.width, `page is ${scrollWidth}px wide`);
  const boxes = [];
  for (const name of zoneNames) {
    const box = await page.getByRole('group', { name, exact: true }).boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, `${name} is on screen`);
    boxes.push(box);
  }
  assert.ok(boxes[0].y + boxes[0].height <= boxes[1].y + 1, 'zones stacked on a phone');
  // Labels stay legible: node names are drawn at 10px or more.
  const size = await page
    .locator('.storage .card-title')
    .first()
    .evaluate((el) => el.getBoundingClientRect().height);
  assert.ok(size >= 10, `node names are ${size}px tall`);
  await screenshot(page, 'first-page-phone');
  await context.close();
});

test('dark colour scheme: the page follows the system theme, and the toggle overrides it', async () => {
  const { page, context } = await open(browser, { colorScheme: 'dark' });
  const background = () =>
    page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const sum = (c) => c.match(/\d+/g).slice(0, 3).map(Number).reduce((a, b) => a + b);
  assert.ok(sum(await background()) < 150, `dark background, got ${await background()}`);
  await page.waitForTimeout(1000);
  await screenshot(page, 'first-page-dark');
  await page.getByRole('button', { name: 'Theme: system' }).click();
  assert.ok(sum(await background()) > 600, `light on request, got ${await background()}`);
  await context.close();
});

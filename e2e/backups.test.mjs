// Backups on the page: the faulty deployment's deleted orders come back by Backtrack from the
// Backups panel; a point-in-time restore draws a second cluster beside the first; refusals
// (Backtrack on Aurora PostgreSQL, a restore outside the window) are the core's words in a
// notice; and the share link carries it all.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, screenshot } from './browser.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// The backtrack scenario deletes every order at 120 s; open paused at 130 s, before its own
// backtrack at 150 s.
const AFTER_DELETE = '?scenario=backtrack&seed=1&t=130000000';

const orders = (page) => page.locator('.panel.backups .table-rows', { hasText: 'orders' });

test('a backtrack from the page brings the deleted orders back, and the link keeps it', async () => {
  const { page, context, problems } = await open(browser, { path: AFTER_DELETE });
  const panel = page.locator('.panel.backups');
  await panel.waitFor();
  assert.equal(await orders(page).innerText(), 'orders: 0 of 768 rows', 'the DELETE took every order');
  // S3 is drawn in the diagram with its backed-up point trailing VDL.
  const store = page.locator('.store .store-label');
  assert.match((await store.textContent()).trim(), /^S3 backup · to LSN \d+$/);
  assert.match(await page.locator('.store .store-detail').textContent(), /behind VDL · restorable to \d+ s/);
  assert.match(await panel.innerText(), /Restorable to any second from 0 s to 1[12]\d s/);

  await page.getByLabel('Point in the run (seconds, or m:ss)').fill('1:40');
  await page.getByRole('button', { name: 'Backtrack to…' }).click();
  await page.locator('.panel.backups .backtrack-text', { hasText: 'Last backtrack: asked for 100 s, landed on 100 s' }).waitFor();
  assert.equal(await orders(page).innerText(), 'orders: 768 of 768 rows', 'every order is back');
  assert.match(await panel.innerText(), /Rewinding: the database is paused and its connections closed until 190 s/);

  // The page's versions: an order's page shows its delete, and the version before it.
  await page.getByLabel(/Inspect a page's versions/).fill('300');
  await page.getByRole('button', { name: 'Show its versions' }).click();
  const inspector = page.locator('.panel.inspector');
  await inspector.locator('.selected-name', { hasText: 'Page 300 (orders row 44)' }).waitFor();
  assert.match(await inspector.innerText(), /deleted at LSN \d+/, 'the delete is one of its versions');

  // The link reproduces the run with the backtrack in it.
  const link = new URL(page.url());
  assert.match(link.searchParams.get('actions') ?? '', /^130000000\.backtrack\.100$/);
  await screenshot(page, 'backups-backtrack');
  const again = await open(browser, { path: link.search });
  await again.page.locator('.panel.backups').waitFor();
  assert.equal(await orders(again.page).innerText(), 'orders: 768 of 768 rows', 'the link replays the backtrack');
  assert.deepEqual(again.problems, []);
  await again.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('a restore draws a second cluster beside the first; impossible requests get the core\'s reason', async () => {
  const { page, context, problems } = await open(browser, { path: AFTER_DELETE });
  await page.locator('.panel.backups').waitFor();
  const point = page.getByLabel('Point in the run (seconds, or m:ss)');
  // Outside the window: the core's typed refusal, in a notice.
  await point.fill('500');
  await page.getByRole('button', { name: 'Restore to a point in time…' }).click();
  await page.locator('.notice.problem', { hasText: '00:08:20 is outside the restorable window' }).waitFor();
  // Inside it: a new cluster, drawn in the diagram and listed in the panel.
  await point.fill('100');
  await page.getByRole('button', { name: 'Restore to a point in time…' }).click();
  const card = page.getByRole('img', { name: /^Cluster restored-1, restored to 00:01:40, writer db\.r6g\.xlarge, being created/ });
  await card.waitFor();
  await page.getByRole('button', { name: 'Clone' }).click();
  await page.getByRole('img', { name: /^Cluster clone-2, copy-on-write clone of production/ }).waitFor();
  assert.match(await page.locator('.panel.backups .clusters').innerText(), /shares \d+ of 1024 pages/);
  assert.match(await page.locator('.panel.backups .clusters').innerText(), /writer restored-1-instance-1 \(db\.r6g\.xlarge\), being created with the cluster/);
  await screenshot(page, 'backups-restore-clone');
  assert.deepEqual(problems, []);
  await context.close();

  // The same cluster created as Aurora PostgreSQL cannot backtrack, and says so.
  const pg = await open(browser, { path: `${AFTER_DELETE}&engine=postgresql` });
  await pg.page.locator('.panel.backups').waitFor();
  assert.match(await pg.page.locator('.panel.backups').innerText(), /Aurora PostgreSQL cluster/);
  await pg.page.getByLabel('Point in the run (seconds, or m:ss)').fill('100');
  await pg.page.getByRole('button', { name: 'Backtrack to…' }).click();
  await pg.page.locator('.notice.problem', { hasText: 'Backtrack exists only for Aurora MySQL' }).waitFor();
  assert.equal(await pg.page.locator('#engine-select').inputValue(), 'postgresql');
  assert.match(new URL(pg.page.url()).search, /engine=postgresql/);
  assert.deepEqual(pg.problems, []);
  await pg.context.close();
});

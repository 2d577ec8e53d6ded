// The Compare view: mirrored MySQL's write path beside Aurora's on the same clients, from the
// scenario picker and from a share link, with the live table of I/Os per transaction.
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

const cell = async (page, row, column) => {
  const tr = page.locator('.cmp-table tbody tr', { hasText: row }).first();
  return (await tr.locator('td').nth(column).innerText()).trim();
};

test('a share link opens the Compare view; both models write, each its own way', async () => {
  const { page, context, problems } = await open(browser, {
    path: '?scenario=mysql-vs-aurora&speed=0.02&autoplay=1&t=1000000',
  });
  const view = page.getByRole('region', { name: /Compare: mirrored MySQL and Aurora/ });
  await view.waitFor();
  await page.waitForTimeout(2500);
  for (const type of ['redo log', 'binlog', 'data pages', 'double-write', 'FRM files']) {
    assert.ok(await page.locator('.cmp-table tr', { hasText: type }).count(), type);
  }
  const mysqlData = Number(await cell(page, 'data pages', 0));
  assert.ok(mysqlData > 1, `mirrored MySQL writes pages: ${mysqlData}`);
  assert.match(await cell(page, 'data pages', 1), /not written/);
  const mysqlTxns = Number(await cell(page, 'transactions committed', 0));
  const auroraTxns = Number(await cell(page, 'transactions committed', 1));
  assert.ok(auroraTxns > mysqlTxns * 5, `Aurora ${auroraTxns}, MySQL ${mysqlTxns}`);
  assert.match(await page.locator('.cmp-claims').innerText(), /AWS's claim .*not a figure of this model/);
  assert.ok((await view.locator('.cmp-dot').count()) > 0, 'messages in flight are drawn');
  await screenshot(page, 'compare-view');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the RDS Multi-AZ failover: the standby is drawn taking over', async () => {
  const { page, context, problems } = await open(browser, {
    path: '?scenario=rds-multi-az-failover&speed=1&t=30000000',
  });
  const view = page.getByRole('region', { name: /Compare/ });
  await view.waitFor();
  await page.getByRole('img', { name: 'primary (failed)' }).waitFor();
  assert.ok(await page.getByRole('img', { name: 'standby' }).count());
  await screenshot(page, 'compare-failover');
  assert.deepEqual(problems, []);
  await context.close();
});

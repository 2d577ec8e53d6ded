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

// Where each dot of a drawing is now, as one string.
const dotsOf = (svg) =>
  svg.locator('.cmp-dot').evaluateAll((ds) => ds.map((d) => `${d.getAttribute('cx')},${d.getAttribute('cy')}`).join(' '));

test('at normal speed both drawings animate; the claim, the paper and the model sit side by side', async () => {
  const { page, context, problems } = await open(browser, {
    path: '?scenario=mysql-vs-aurora&speed=1&autoplay=1',
  });
  const aurora = page.getByRole('group', { name: 'Aurora diagram' });
  const mysql = page.getByRole('group', { name: 'Mirrored MySQL diagram' });
  await aurora.waitFor();
  await page.waitForTimeout(2000);
  const before = { aurora: await dotsOf(aurora), mysql: await dotsOf(mysql) };
  await page.waitForTimeout(400);
  const later = { aurora: await dotsOf(aurora), mysql: await dotsOf(mysql) };
  for (const side of ['aurora', 'mysql']) {
    assert.ok(before[side].length > 0 && later[side].length > 0, `${side}: dots at 1×`);
    assert.notEqual(before[side], later[side], `${side}: the dots move`);
  }
  // The I/O figure with what it depends on: transactions sharing one write.
  const boxcar = Number(await cell(page, 'sharing one write', 1));
  assert.ok(boxcar > 1, `Aurora: ${boxcar} transactions per boxcar at the paper's load`);
  // Network bytes count each side's write path; per transaction, whole pages outweigh redo.
  const mib = (text) => {
    const [n, unit] = text.split(/\s+/);
    const scale = { B: 1 / 1048576, KB: 1 / 1024, KiB: 1 / 1024, MB: 1, MiB: 1, GB: 1024, GiB: 1024, TiB: 1048576 }[unit];
    assert.ok(scale !== undefined, `a byte count: ${text}`);
    return Number(n) * scale;
  };
  const bytes = [await cell(page, 'network bytes', 0), await cell(page, 'network bytes', 1)].map(mib);
  const txns = [Number(await cell(page, 'transactions committed', 0)), Number(await cell(page, 'transactions committed', 1))];
  assert.ok(bytes[0] / txns[0] > 10 * (bytes[1] / txns[1]), `bytes ${bytes}, transactions ${txns}`);
  const claims = page.locator('table.cmp-claims');
  const claimRow = async (who) => (await claims.locator('tr', { hasText: who }).innerText()).replace(/\s+/g, ' ');
  assert.match(await claimRow("AWS's claim"), /BLOG-POC.*not a figure of this model.*up to 5× MySQL's throughput \(3× PostgreSQL's\)/);
  assert.match(await claimRow('P17 Table 1'), /35\.1× the transactions.*7\.8× fewer I\/Os/);
  assert.match(await claimRow(/^\s*This model, this run/), /\d+(\.\d)?× the transactions.*× fewer I\/Os/);
  await screenshot(page, 'compare-normal-speed');
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

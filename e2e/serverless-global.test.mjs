// Serverless scaling and the Global Database in the page: the ACU chart through a load spike,
// its cost, and a region failover seen from the world view.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, PHONE, launch, open, screenshot } from './browser.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const SCENARIOS = [
  'serverless-v2-spike',
  'serverless-v1-spike',
  'serverless-pause-resume',
  'global-lag',
  'global-switchover',
  'global-failover',
];

test('the six serverless and global scenarios are offered and open cleanly', async () => {
  const { page, context, problems } = await open(browser, { path: '?autoplay=0' });
  const offered = await page.locator('#scenario-picker option').evaluateAll((os) => os.map((o) => o.value));
  for (const name of SCENARIOS) assert.ok(offered.includes(name), `${name} is offered`);
  for (const name of SCENARIOS) {
    await page.goto(new URL(`?scenario=${name}&t=3000000`, page.url()).href);
    await page.getByRole('heading', { level: 1, name: 'Aurora Playground' }).waitFor();
    assert.equal(await page.locator('#scenario-picker').inputValue(), name);
    if (name.startsWith('serverless')) {
      assert.equal(await page.getByRole('meter').count(), 1, `${name}: one serverless writer`);
      if (name === 'serverless-v2-spike') {
        // The notes' v2 range is answered beside the gauge, with its source.
        assert.match(await page.locator('.capacity').innerText(), /Notes say “min 0\.5, max 128 ACU, never scales to zero”: outdated; .*256 ACU \(API: ServerlessV2ScalingConfiguration\)/);
      }
      if (name === 'serverless-v1-spike') {
        // v1 is offered only as what it is: retired.
        assert.match(await page.locator('.capacity').innerText(), /Serverless v1 \(retired 31 Mar 2025\)/);
      }
    } else {
      assert.ok((await page.locator('.region-open').count()) >= 2, `${name}: the world view lists its regions`);
      assert.match(await page.locator('.panel.world').innerText(), /Notes say “up to 5 secondary Regions”: outdated; up to 10 today/);
    }
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('a load spike: the ACU rises in 0.5 steps within its range, and it costs money', async () => {
  const { page, context, problems } = await open(browser, {
    path: '?scenario=serverless-v2-spike&speed=20&autoplay=1',
  });
  const gauge = page.getByRole('meter', { name: 'Capacity of instance-1' });
  await gauge.waitFor();
  assert.equal(await gauge.getAttribute('aria-valuemin'), '0.5');
  assert.equal(await gauge.getAttribute('aria-valuemax'), '64');
  // The spike starts at 60 s; within seconds the writer is far above its quiet capacity.
  await page.waitForFunction(
    () => Number(document.querySelector('[role=meter]')?.getAttribute('aria-valuenow')) >= 15,
    null,
    { timeout: 90_000 },
  );
  await page.getByRole('button', { name: 'Pause', exact: true }).click();

  const values = (await page.locator('.acu-cell').allTextContents()).map(Number);
  assert.ok(values.length >= 6, `capacity changes listed: ${values}`);
  for (const v of values) {
    assert.ok(Number.isInteger(v * 2), `${v} ACU is a multiple of 0.5`);
    assert.ok(v >= 0.5 && v <= 64, `${v} ACU lies within 0.5–64`);
  }
  // Growth comes in steps, not one jump to the target: each rise at most half the capacity.
  let rises = 0;
  for (let i = 1; i < values.length; i += 1) {
    const step = values[i] - values[i - 1];
    if (step > 0) {
      rises += 1;
      assert.ok(step <= Math.max(values[i - 1] / 2, 0.5), `a step of ${step} from ${values[i - 1]}`);
    }
  }
  assert.ok(rises >= 4, `it rose step by step: ${values}`);
  const now = Number(await gauge.getAttribute('aria-valuenow'));
  assert.equal(values.at(-1), now, 'the table ends at the gauge');

  const cost = await page.locator('.cost-value').innerText();
  assert.match(cost, /^\$\d+\.\d{4}$/);
  assert.ok(Number(cost.slice(1)) > 0, `cost ${cost}`);
  assert.ok(Number(await page.locator('.cost dt', { hasText: 'ACU-hours' }).locator('xpath=..').locator('dd').innerText()) > 0);
  assert.match(await page.locator('.capacity').innerText(), /Example prices: \$0\.12 per ACU-hour/);
  const chart = await page.getByRole('img', { name: /^Capacity in ACUs over the last/ }).getAttribute('aria-label');
  assert.match(chart, /instance-1: \d+(\.5)? ACU now, peak \d+(\.5)? ACU/);
  await screenshot(page, 'acu-chart-spike');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a region failover: the world view shows the new primary, the RPO and RTO, and the old region back', async () => {
  const { page, context, problems } = await open(browser, {
    path: '?scenario=global-failover&speed=10&autoplay=1',
  });
  const region = (name) => page.locator('.region-open', { has: page.locator('.region-name', { hasText: name }) });
  await region('us-east-1').waitFor();
  assert.match(await region('us-east-1').getAttribute('aria-label'), /^Region us-east-1, primary: takes writes/);
  assert.match(await region('eu-west-1').getAttribute('aria-label'), /^Region eu-west-1, secondary: lag \d/);

  // us-east-1 fails at 10 s: no writes until a secondary is promoted.
  await page.getByRole('button', { name: /^Region us-east-1, primary, down/ }).waitFor({ timeout: 60_000 });
  assert.match(await page.locator('.world-status').innerText(), /primary region has been down/);
  // eu-west-1 is promoted from 20 s and takes writes half a minute later.
  await page.getByRole('button', { name: /^Region eu-west-1, being promoted/ }).waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: /^Region eu-west-1, primary: takes writes/ }).waitFor({ timeout: 90_000 });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const rpo = await page.locator('.rpo').innerText();
  assert.match(rpo, /^Failover us-east-1 → eu-west-1: RPO \d+ commits? lost \(the last .+ of writes, \d+ LSNs; lag at the failure .+\); RTO \d/);
  assert.match(await region('us-east-1').getAttribute('aria-label'), /^Region us-east-1, failed/);
  // The diagram follows the writer into eu-west-1.
  assert.match(await page.locator('.region-title').textContent(), /^Region eu-west-1 · primary/);
  assert.equal(await page.locator('.instance.writer').count(), 1);
  await screenshot(page, 'world-view-region-failover');

  // Opening the failed region shows its three zones, down.
  await region('us-east-1').click();
  assert.match(await page.locator('.region-title').textContent(), /^Region us-east-1 · failed/);
  assert.equal(await page.getByRole('group', { name: /^Availability Zone/ }).count(), 3);

  // Healed, it comes back as a secondary of the new primary.
  await page.getByRole('button', { name: 'Heal region us-east-1', exact: true }).click();
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await page.getByRole('button', { name: /^Region us-east-1, secondary/ }).waitFor({ timeout: 30_000 });
  assert.match(await page.locator('.log-lines').innerText(), /you brought region us-east-1 back/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('write forwarding is switched on from the world view and drawn as its own messages', async () => {
  const { page, context, problems } = await open(browser, {
    path: '?scenario=global-switchover&speed=0.5&autoplay=1',
    viewport: PHONE,
  });
  await page.getByRole('button', { name: 'Turn write forwarding on (50/s)', exact: true }).click();
  await page.getByRole('button', { name: 'Write forwarding on (50/s): turn off', exact: true }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.traffic .forward').length > 0, null, {
    timeout: 30_000,
  });
  assert.match(await page.locator('.log-lines').innerText(), /you turned write forwarding on: 50 writes\/s/);
  // SESSION by default: reads after a forwarded write wait for it; EVENTUAL never waits.
  const consistency = page.getByRole('group', { name: 'Read consistency of forwarded writes' });
  assert.equal(await consistency.getByRole('button', { name: 'SESSION' }).getAttribute('aria-pressed'), 'true');
  await page.locator('.read-after-write', { hasText: /^SESSION: \d+ reads after a forwarded write saw it, waiting p50/ }).waitFor({ timeout: 30_000 });
  await consistency.getByRole('button', { name: 'EVENTUAL' }).click();
  await page.locator('.read-after-write', { hasText: /^EVENTUAL: reads never wait; \d+ of \d+ reads/ }).waitFor({ timeout: 30_000 });
  assert.match(await page.locator('.log-lines').innerText(), /you set write forwarding's read consistency to EVENTUAL/);
  await screenshot(page, 'world-view-forwarding-phone');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the capacity panel in dark theme at desktop width', async () => {
  const { page, context, problems } = await open(browser, {
    path: '?scenario=serverless-pause-resume&t=400000000',
    viewport: DESKTOP,
    colorScheme: 'dark',
  });
  const gauge = page.getByRole('meter', { name: 'Capacity of instance-1' });
  assert.equal(await gauge.getAttribute('aria-valuenow'), '0');
  assert.match(await gauge.getAttribute('aria-valuetext'), /^paused \(0 ACU\)/);
  await screenshot(page, 'acu-paused-dark');
  assert.deepEqual(problems, []);
  await context.close();
});

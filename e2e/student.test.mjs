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

test('a protection group in the inspector answers the notes\' claims about reads, copies and size', async () => {
  const { page, context, problems } = await open(browser, { path: '?autoplay=0' });
  await page.locator('.pg > [role=button]').first().click();
  const pgText = await page.locator('.inspector').innerText();
  assert.match(pgText, /Notes say “every read uses a 3\/6 quorum”: wrong; a normal read fetches the page from one segment/);
  assert.match(pgText, /Notes say “64 TB”: outdated; .*128 TiB/);
  assert.match(pgText, /Notes say “6 storage nodes per cluster”: misleading/);
  assert.match(pgText, /at most 128 TiB/);
  await screenshot(page, 'inspector-pg-corrections');
  assert.deepEqual(problems, []);
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

  const segment = page.getByRole('button', { name: /^Segment 0 of PG 0 \(copy A\)/ });
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
    // Every rule, label-content-name-mismatch too: each diagram button's name holds the words
    // drawn on it, so a person using speech input can say what they see.
    const r = await globalThis.axe.run(document, { resultTypes: ['violations'] });
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

test('the writer’s CPU comes from the core: 60 % in az-failure, with no auto scaling', async () => {
  // 2,000 transactions and 4,000 reads a second at 400 µs each, on the writer's 4 vCPUs.
  const { page, context } = await open(browser, { path: '?scenario=az-failure&t=1500000' });
  await page.getByRole('button', { name: /^DB instance instance-1, writer/ }).click();
  const cpu = page.locator('.inspector dt', { hasText: /^CPU$/ }).locator('xpath=following-sibling::dd[1]');
  await cpu.waitFor();
  assert.match(await cpu.innerText(), /^(5[89]|6[0-2]) %$/);
  await context.close();
});

// Every text drawn on a card stays inside it, and a PG's status does not run over its copies.
async function clippedLabels(page) {
  return page.evaluate(() => {
    const out = [];
    const inside = (a, b) => a.x >= b.x - 0.5 && a.y >= b.y - 0.5 && a.x + a.width <= b.x + b.width + 0.5 && a.y + a.height <= b.y + b.height + 0.5;
    const meets = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    for (const card of document.querySelectorAll('.diagram rect.card')) {
      const box = card.getBBox();
      for (const t of card.parentElement.querySelectorAll(':scope > text')) {
        if (!t.textContent.trim()) continue;
        if (!inside(t.getBBox(), box)) out.push(`"${t.textContent}" leaves its card`);
      }
    }
    for (const pg of document.querySelectorAll('.diagram .pg')) {
      const status = pg.querySelector('.pg-status').getBBox();
      for (const dot of pg.querySelectorAll('.pg-dot circle')) {
        if (meets(status, dot.getBBox())) out.push(`"${pg.querySelector('.pg-status').textContent}" runs over a copy`);
      }
    }
    const volume = [...document.querySelectorAll('.diagram text.row-label')].find((t) => t.textContent.startsWith('Volume'));
    const region = document.querySelector('.diagram .region-box').getBBox();
    if (volume && !inside(volume.getBBox(), region)) out.push(`"${volume.textContent}" leaves the region`);
    return out;
  });
}

for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`labels fit their cards (${label}): a replica being created, a writer promoted, a PG without quorum`, async () => {
    // A replica added at 0.5 s is "creating"; AZs b and c down at 1 and 2 s leave no quorum;
    // a crashed writer at 3 s has a replica "promoting" a few seconds later.
    let { page, context } = await open(browser, {
      viewport,
      path: '?scenario=az-failure&actions=500000.add-replica.a_1000000.fail-az.b&t=2500000',
    });
    await page.locator('.diagram .pg.no-write').first().waitFor();
    await page.locator('.diagram .instance.creating').waitFor();
    assert.deepEqual(await clippedLabels(page), []);
    await context.close();
    ({ page, context } = await open(browser, { viewport, path: '?scenario=failover&t=12000000' }));
    await page.locator('.diagram .instance.promoting').waitFor();
    assert.deepEqual(await clippedLabels(page), []);
    await context.close();
  });

  test(`targets are at least 24 px (${label})`, async () => {
    const { page, context } = await open(browser, { viewport, path: '?scenario=replicas&autoplay=0' });
    await page.locator('.charts').waitFor();
    const small = await page.evaluate(() => {
      const out = [];
      const targets = document.querySelectorAll('button, select, input, summary, a[href], [role="button"], [role="slider"], [tabindex="0"]');
      for (const el of targets) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue; // not shown
        if (el.closest('.visually-hidden') || el.classList.contains('skip-link')) continue;
        // Inline links inside a sentence are exempt (WCAG 2.5.8).
        if (el.tagName === 'A' && el.closest('p, li, dd') && el.parentElement.textContent.trim() !== el.textContent.trim()) continue;
        // Scrolling regions that take focus are not click targets.
        if (el.getAttribute('role') === 'log' || el.tagName === 'svg') continue;
        if (r.width < 23.5 || r.height < 23.5) out.push(`${el.tagName} ${el.getAttribute('aria-label') ?? el.textContent.trim().slice(0, 30)}: ${r.width.toFixed(1)}×${r.height.toFixed(1)}`);
      }
      return out;
    });
    assert.deepEqual(small, []);
    await context.close();
  });

  test(`a selection is drawn and the inspector says what it is on the first screen (${label})`, async () => {
    const { page, context } = await open(browser, { viewport, path: '?scenario=replicas&autoplay=0' });
    const node = page.getByRole('button', { name: /^Storage node az-c-2, healthy$/ });
    await node.click();
    const ring = page.locator('.diagram .selection-ring');
    await ring.waitFor();
    const [r, n] = [await ring.boundingBox(), await node.locator('rect.card').boundingBox()];
    assert.ok(r.x <= n.x && r.y <= n.y && r.x + r.width >= n.x + n.width && r.y + r.height >= n.y + n.height, 'the ring goes round the node');
    const name = page.locator('.inspector .selected-name');
    await name.waitFor();
    assert.match(await name.innerText(), /az-c-2/);
    assert.ok(await inFirstScreen(name, viewport), 'the inspector shows without scrolling');
    assert.ok(await inFirstScreen(page.getByRole('button', { name: 'Clear the selection' }), viewport));
    await page.getByRole('button', { name: 'Clear the selection' }).click();
    await ring.waitFor({ state: 'detached' });
    await context.close();
  });
}

test('at ×100 the lit links are thinned to the busiest and the labels stay on top', async () => {
  const { page, context } = await open(browser, { path: '?scenario=e-commerce&speed=100' });
  await page.waitForTimeout(2500);
  const { links, left } = await page.evaluate(() => ({
    links: document.querySelectorAll('.diagram .traffic line.pulse').length,
    left: Number(document.querySelector('.diagram .traffic')?.dataset.linksLeftOut ?? 0),
  }));
  assert.ok(links > 0 && links <= 24, `${links} links drawn`);
  assert.ok(left > 0, 'some links were left out at this load');
  // The traffic goes under every card.
  const order = await page.evaluate(() => {
    const svg = document.querySelector('.diagram');
    const kids = [...svg.children];
    const traffic = kids.findIndex((k) => k.classList?.contains('traffic'));
    const firstZone = kids.findIndex((k) => k.getAttribute('role') === 'group');
    return { traffic, firstZone };
  });
  assert.ok(order.traffic < order.firstZone, JSON.stringify(order));
  await context.close();
});

test('event log: important events apart, routine ones summarised, and a linked moment’s context', async () => {
  const { page, context } = await open(browser, { path: '?scenario=writer-crash&t=12000000' });
  const log = page.locator('.log-lines');
  await log.waitFor();
  assert.match(await page.locator('.log-context').innerText(), /opened this run at 12\.000 000 s/);
  const important = await page.locator('.log-important').innerText();
  assert.match(important, /fault: crash instance-1/, 'the crash that led here is kept');
  assert.match(important, /recover/i);
  const routine = await page.locator('.log-routine').innerText();
  assert.match(routine, /[\d,]+ commits acknowledged in [\d.]+ (ms|s) · latest: /);
  assert.doesNotMatch(important, /commits? acknowledged: VDL/, 'routine progress is not among the important');
  // Back along the timeline, the newest routine line is near the moment.
  await page.getByRole('slider', { name: 'Timeline' }).fill('11000');
  await page.waitForFunction(() => /^11\./.test(document.querySelector('.clock .now')?.textContent.trim() ?? ''));
  await page.waitForTimeout(600);
  const newest = await page.locator('.log-routine li time').first().innerText();
  const now = await page.locator('.clock .now').innerText();
  const secs = (s) => Number(s.replace(/[^\d.]/g, '').replace(/^(\d+\.\d+).*/, '$1'));
  assert.ok(secs(now) - secs(newest) <= 1.5 && secs(newest) <= secs(now), `newest ${newest} at ${now}`);
  await context.close();
});

test('notices fold into one list with Dismiss all, and do not push the diagram down', async () => {
  const { page, context } = await open(browser, {
    path: '?scenario=replicas&actions=1000.lose.999_2000.lose.998_3000.lose.997_4000.lose.996_5000.lose.995&t=6000',
  });
  await page.locator('.notice-more').waitFor();
  assert.equal(await page.locator('.notices > .notice').count(), 1, 'the newest alone in full');
  assert.match(await page.locator('.notice-more summary').innerText(), /^\d+ more notices?, /);
  const box = await page.locator('.notices').boundingBox();
  assert.ok(box.height < 110, `the notices take ${box.height}px`);
  await page.getByRole('button', { name: 'Dismiss all' }).click();
  assert.equal(await page.locator('.notice').count(), 0);
  await context.close();
});

test('the glossary spans the page on a desktop, its definitions in wide columns', async () => {
  const { page, context } = await open(browser, { path: '?autoplay=0' });
  const glossary = page.getByRole('region', { name: 'Glossary' });
  await glossary.waitFor();
  const box = await glossary.boundingBox();
  assert.ok(box.width > DESKTOP.width * 0.8, `the glossary is ${box.width}px wide`);
  const widths = await glossary.locator('dd').evaluateAll((dds) => dds.map((d) => d.getBoundingClientRect().width));
  assert.ok(Math.min(...widths) >= 300, `definitions at least 300px wide: ${widths}`);
  await context.close();
});

// For course authors: every take-away button of the page (Save picture as SVG and PNG, Save
// measurements, Save event log, Save run, Open run by the picker and by dropping a file), what
// each file holds against what the page shows, a saved run played by the runner, and which
// buttons an embed shows and which work in a sandboxed frame.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DESKTOP, launch, open, screenshots, url } from './browser.mjs';

let browser;
before(async () => {
  browser = await launch();
  mkdirSync(screenshots, { recursive: true });
});
after(async () => {
  await browser?.close();
});

// A paused failover run at 3 s, with AZ c failed at 1 s: every panel has something to show.
const RUN = '?scenario=failover&seed=7&t=3000000&actions=1000000.fail-az.c';

// Clicks `name` and returns the download it starts, with its text (or bytes).
async function save(page, name, { bytes = false } = {}) {
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 15000 }),
    page.getByRole('button', { name, exact: true }).click(),
  ]);
  const path = await download.path();
  const data = readFileSync(path);
  return { name: download.suggestedFilename(), data: bytes ? data : data.toString('utf8') };
}

async function watched(path) {
  const opened = await open(browser, { path });
  await opened.page.evaluate(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });
  await opened.page.locator('svg.diagram').waitFor();
  await opened.page.locator('.take-away').waitFor();
  return opened;
}

test('Save picture: the diagram as a standalone SVG that parses and names what the page names', async () => {
  const { page, context, problems } = await watched(RUN);
  const saved = await save(page, 'Save picture (SVG)');
  assert.equal(saved.name, 'aurora-failover-seed7-at-3s-diagram.svg');
  writeFileSync(join(screenshots, 'authors-diagram.svg'), saved.data);
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const error = doc.querySelector('parsererror');
    const texts = [...doc.querySelectorAll('text')].map((t) => t.textContent).filter((t) => t.trim());
    const styled = [...doc.querySelectorAll('text')].every((t) => t.closest('[fill]'));
    return {
      error: error?.textContent ?? null,
      root: doc.documentElement.localName,
      width: doc.documentElement.getAttribute('width'),
      texts,
      styled,
      classes: doc.querySelectorAll('[class]').length,
      background: doc.querySelector('svg > rect')?.getAttribute('fill'),
      stylesheet: doc.querySelectorAll('style, link').length,
    };
  }, saved.data);
  assert.equal(parsed.error, null);
  assert.equal(parsed.root, 'svg');
  assert.ok(Number(parsed.width) > 600, `a picture ${parsed.width} px wide`);
  const onPage = await page.locator('svg.diagram text').evaluateAll((ts) =>
    ts.map((t) => t.textContent).filter((t) => t.trim()));
  for (const name of ['az-a-1', 'az-c-2', 'instance-1']) {
    assert.ok(onPage.includes(name), `the page names ${name}`);
  }
  // The picture's words are the diagram's, plus the line that says where it comes from.
  assert.deepEqual(parsed.texts.slice(0, onPage.length), onPage);
  assert.match(parsed.texts.at(-1), /^Aurora Playground: failover, seed 7, at 3\.000 000 s$/);
  assert.ok(parsed.styled, 'every text has its colour inline');
  assert.equal(parsed.classes, 0, 'no class left for a style sheet to match');
  assert.equal(parsed.stylesheet, 0);
  assert.match(parsed.background, /^rgb/);
  // What the file looks like by itself, for a person to look at.
  const viewer = await context.newPage();
  await viewer.setViewportSize({ width: 1400, height: 1000 });
  await viewer.setContent(saved.data);
  await viewer.screenshot({ path: join(screenshots, 'authors-diagram-svg.png') });
  await viewer.close();
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('Save picture: a PNG at twice the size, under the page\'s Content-Security-Policy, and the charts', async () => {
  const { page, context, problems } = await watched(RUN);
  const svg = await save(page, 'Save picture (SVG)');
  const width = Number(/width="(\d+)"/.exec(svg.data)[1]);
  const height = Number(/height="(\d+)"/.exec(svg.data)[1]);
  const png = await save(page, 'Save picture (PNG, 2×)', { bytes: true });
  assert.equal(png.name, 'aurora-failover-seed7-at-3s-diagram.png');
  assert.equal(png.data.subarray(1, 4).toString('latin1'), 'PNG');
  assert.equal(png.data.readUInt32BE(16), width * 2, 'twice as wide');
  assert.equal(png.data.readUInt32BE(20), height * 2, 'twice as tall');
  assert.ok(png.data.length > 20000, `a drawn picture (${png.data.length} bytes)`);
  writeFileSync(join(screenshots, 'authors-diagram.png'), png.data);
  // The charts, the same way: a heading, the chart, its caption.
  for (const [label, key, heading] of [
    ['Throughput chart', 'throughput', 'Throughput chart'],
    ['Commit latency chart', 'commit-latency', 'Commit latency chart'],
  ]) {
    await page.locator('#picture-choice').selectOption({ label });
    const chart = await save(page, 'Save picture (SVG)');
    assert.equal(chart.name, `aurora-failover-seed7-at-3s-${key}.svg`);
    const texts = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return doc.querySelector('parsererror') ? null : [...doc.querySelectorAll('text')].map((t) => t.textContent);
    }, chart.data);
    assert.ok(texts, 'the chart parses');
    assert.equal(texts[0], heading);
    const caption = await page.locator(`figure[data-picture="${key}"] figcaption span`).first().innerText();
    assert.ok(texts.includes(caption), `the caption "${caption}" is in ${texts}`);
    writeFileSync(join(screenshots, `authors-${key}.svg`), chart.data);
    const chartPng = await save(page, 'Save picture (PNG, 2×)', { bytes: true });
    assert.equal(chartPng.name, `aurora-failover-seed7-at-3s-${key}.png`);
    assert.equal(chartPng.data.readUInt32BE(16), Number(/width="(\d+)"/.exec(chart.data)[1]) * 2);
  }
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(problems, []);
  await context.close();
});

// The page's way of writing a duration (web/src/format.rs).
function duration(us) {
  const trim = (v, d) => v.toFixed(d).replace(/\.?0+$/, '');
  if (us < 1000) return `${us} µs`;
  if (us < 1_000_000) return `${trim(us / 1e3, 2)} ms`;
  return `${trim(us / 1e6, 1)} s`;
}

test('Save measurements: the CSV\'s last row is what the Measurements panel shows', async () => {
  const { page, context, problems } = await watched(RUN);
  await page.locator('.charts .figures').waitFor();
  const figure = (dt) => page.locator('.charts .figures div', { hasText: dt }).locator('dd').innerText();
  const panel = {
    commits: await figure('Commits acknowledged'),
    ios: await figure('Redo I/Os per transaction'),
    p99: await figure('Commit latency p99'),
    lags: await page.locator('.lag-list li').evaluateAll((lis) =>
      lis.map((li) => [li.querySelector('.lag-name').textContent, li.querySelector('.lag-value').textContent])),
  };
  const csv = await save(page, 'Save measurements (CSV)');
  assert.equal(csv.name, 'aurora-failover-seed7-at-3s-measurements.csv');
  writeFileSync(join(screenshots, 'authors-measurements.csv'), csv.data);
  const [header, ...rows] = csv.data.trim().split('\n').map((l) => l.split(','));
  assert.equal(header[0], 'time_s');
  const last = Object.fromEntries(header.map((h, i) => [h, rows.at(-1)[i]]));
  assert.equal(last.time_s, '3');
  assert.equal(last.commits_acked, panel.commits);
  assert.equal(Number(last.ios_per_txn).toFixed(1), panel.ios);
  assert.equal(duration(Number(last.commit_p99_us)), panel.p99);
  assert.ok(panel.lags.length >= 1);
  for (const [name, shown] of panel.lags) {
    const cell = last[`lag_us:${name}`];
    if (shown === 'down') assert.equal(cell, '', `${name} is down`);
    else assert.equal(duration(Number(cell)), shown, name);
  }
  // Every row is numbers; time goes up by the interval; commits never go down.
  for (const r of rows) for (const c of r) assert.ok(c === '' || Number.isFinite(Number(c)), `"${c}" is a number`);
  const times = rows.map((r) => Number(r[0]));
  assert.equal(times[0], 0);
  assert.ok(times.every((t, i) => i === 0 || t > times[i - 1]));
  const commits = rows.map((r) => Number(r[1]));
  assert.ok(commits.every((c, i) => i === 0 || c >= commits[i - 1]));
  assert.deepEqual(problems, []);
  await context.close();
});

test('Save event log: one JSON object a line, the lines the log shows', async () => {
  const { page, context, problems } = await watched(RUN);
  const log = await save(page, 'Save event log (JSON lines)');
  assert.equal(log.name, 'aurora-failover-seed7-at-3s-event-log.jsonl');
  const lines = log.data.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(lines.length > 3, `${lines.length} lines`);
  for (const l of lines) {
    assert.equal(typeof l.time_us, 'number');
    assert.equal(typeof l.text, 'string');
  }
  assert.ok(lines.every((l, i) => i === 0 || l.time_us >= lines[i - 1].time_us), 'oldest first');
  assert.ok(lines.some((l) => l.tone === 'you'), 'the person\'s action is in it');
  assert.ok(lines.some((l) => l.kind === 'routine'), 'routine progress is in it too');
  const newest = await page.locator('.log-important .log-text').first().innerText();
  assert.equal(lines.filter((l) => l.kind === 'important').at(-1).text, newest);
  assert.deepEqual(problems, []);
  await context.close();
});

// The runner's JSON for a run file, to a time in µs.
function runner(file, untilUs) {
  const out = execFileSync(
    'cargo',
    ['run', '-q', '--release', '-p', 'aurora-sim', '--', '--run', file, '--until', `${untilUs}us`],
    { encoding: 'utf8' },
  );
  return JSON.parse(out);
}

test('Save run, then the runner and Open run (picker and drop) replay it with the same digest', async () => {
  const { page, context, problems } = await watched(RUN);
  const fingerprint = await page.locator('.fingerprint').innerText();
  const run = await save(page, 'Save run');
  assert.equal(run.name, 'aurora-failover-seed7-at-3s.aurora-run');
  assert.match(run.data, /^aurora-run 1\n/);
  assert.match(run.data, /\nscenario failover\nseed 7\n/);
  assert.match(run.data, /\nat 3000000\n/);
  assert.match(run.data, /\naction 1000000\.fail-az\.c\n/);
  const file = join(screenshots, run.name);
  writeFileSync(file, run.data);
  assert.equal(runner(file, 3_000_000).trace_digest, fingerprint, 'the runner plays the saved run the same');

  // Another run on screen, then the file opened with the picker: the saved moment again.
  await page.goto(new URL('?scenario=replicas&seed=2&t=1000000', url).href);
  await page.locator('.take-away').waitFor();
  const other = await page.locator('.fingerprint').innerText();
  assert.notEqual(other, fingerprint);
  await page.locator('.open-run-input').setInputFiles(file);
  await page.locator('.notice', { hasText: `Opened ${run.name}: failover, seed 7, 1 action` }).waitFor();
  assert.equal(await page.locator('.fingerprint').innerText(), fingerprint);
  assert.equal(await page.locator('.clock .now').innerText(), '3.000 000 s');

  // A malformed file and a newer one: an error with the line and column, and nothing changes.
  for (const [text, says] of [
    ['aurora-run 1\nscenario failover\nseed 7\naction 1000000.fail-az.q\n', 'line 4, column 24'],
    ['aurora-run 9\nscenario failover\nseed 7\n', 'line 1, column 12'],
  ]) {
    await page.locator('.open-run-input').setInputFiles({ name: 'broken.aurora-run', mimeType: 'text/plain', buffer: Buffer.from(text) });
    await page.locator('.notice.problem', { hasText: says }).waitFor();
    assert.equal(await page.locator('.fingerprint').innerText(), fingerprint, 'the run on screen is kept');
  }
  assert.match(await page.locator('.notices').innerText(), /version 9/);

  // Dropped on the page: the same as chosen.
  await page.goto(new URL('?scenario=replicas&seed=2', url).href);
  await page.locator('.take-away').waitFor();
  await page.evaluate((text) => {
    const data = new DataTransfer();
    data.items.add(new File([text], 'dropped.aurora-run', { type: 'text/plain' }));
    const target = document.querySelector('svg.diagram');
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, run.data);
  await page.locator('.notice', { hasText: 'Opened dropped.aurora-run' }).waitFor();
  assert.equal(await page.locator('.fingerprint').innerText(), fingerprint);
  assert.deepEqual(problems, []);
  await context.close();
});

test('embed: the take-away buttons only when the course page asks (tools=save)', async () => {
  const plain = await open(browser, { path: '?embed=1&scenario=failover' });
  await plain.page.locator('svg.diagram').waitFor();
  assert.equal(await plain.page.locator('.take-away').count(), 0);
  assert.equal(await plain.page.getByRole('button', { name: 'Save run' }).count(), 0);
  await plain.context.close();

  const { page, context, problems } = await open(browser, { path: '?embed=1&tools=save&scenario=failover&seed=3' });
  await page.locator('.take-away').waitFor();
  assert.deepEqual(
    await page.locator('#picture-choice option').allInnerTexts(),
    ['Cluster diagram'],
    'an embed has only the diagram to picture',
  );
  const svg = await save(page, 'Save picture (SVG)');
  assert.match(svg.name, /^aurora-failover-seed3-at-[0-9.]+s-diagram\.svg$/);
  const png = await save(page, 'Save picture (PNG, 2×)', { bytes: true });
  assert.equal(png.data.subarray(1, 4).toString('latin1'), 'PNG');
  const csv = await save(page, 'Save measurements (CSV)');
  assert.match(csv.data, /^time_s,commits_acked,/);
  const run = await save(page, 'Save run');
  assert.match(run.data, /\nscenario failover\nseed 3\n/);
  await page.locator('.open-run-input').setInputFiles({ name: 'a.aurora-run', mimeType: 'text/plain', buffer: Buffer.from('aurora-run 1\nscenario az-failure\nseed 5\nat 2500000\n') });
  await page.locator('.notice', { hasText: 'Opened a.aurora-run: az-failure, seed 5' }).waitFor();
  assert.equal(await page.locator('.scenario-name').innerText(), 'az-failure');
  await page.screenshot({ path: join(screenshots, 'authors-embed-tools.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

// A course page with the playground in a sandboxed frame.
async function sandboxed(sandbox) {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
  const outer = new URL(`sandboxed-authors-${sandbox.replace(/\W+/g, '-')}.html`, url).href;
  await page.route(outer, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><title>course</title>
        <iframe sandbox="${sandbox}" src="./?embed=1&amp;tools=save&amp;scenario=failover&amp;seed=4"
          title="Aurora Playground" width="1100" height="900"></iframe>`,
    }),
  );
  await page.goto(outer);
  const frame = page.frameLocator('iframe');
  await frame.locator('.take-away').waitFor();
  return { context, page, frame, consoleErrors };
}

test('in a sandboxed frame: downloads need allow-downloads; opening a run file works without it', async () => {
  // allow-scripts alone: the browser refuses the download, and the page goes on.
  let s = await sandboxed('allow-scripts');
  let downloaded = false;
  s.page.on('download', () => {
    downloaded = true;
  });
  await s.frame.getByRole('button', { name: 'Save run', exact: true }).click();
  await s.frame.locator('.notice', { hasText: /Saved aurora-failover-seed4-at-/ }).waitFor();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(downloaded, false, 'no download from a frame without allow-downloads');
  await s.frame.locator('.open-run-input').setInputFiles({ name: 'b.aurora-run', mimeType: 'text/plain', buffer: Buffer.from('aurora-run 1\nscenario az-failure\nseed 5\n') });
  await s.frame.locator('.notice', { hasText: 'Opened b.aurora-run: az-failure' }).waitFor();
  assert.ok(s.consoleErrors.every((e) => /[Dd]ownload/.test(e)), s.consoleErrors.join('\n'));
  await s.context.close();

  // With allow-downloads: every save works, the PNG too.
  s = await sandboxed('allow-scripts allow-downloads');
  for (const [name, pattern] of [
    ['Save run', /\.aurora-run$/],
    ['Save measurements (CSV)', /-measurements\.csv$/],
    ['Save picture (SVG)', /-diagram\.svg$/],
    ['Save picture (PNG, 2×)', /-diagram\.png$/],
  ]) {
    const [download] = await Promise.all([
      s.page.waitForEvent('download', { timeout: 15000 }),
      s.frame.getByRole('button', { name, exact: true }).click(),
    ]);
    assert.match(download.suggestedFilename(), pattern);
  }
  assert.deepEqual(s.consoleErrors, []);
  await s.context.close();
});

// The monkey: random actions from a seeded PRNG on the built page (clicks on any visible, enabled
// control or node, keys, scrubbing the timeline, speed changes, reloads with random address
// parameters, valid and not), and after each one: no panic panel, no console error, no uncaught
// exception, no Content-Security-Policy violation, and a page that still answers.
//
//   AURORA_MONKEY_SEED     the PRNG's seed (default: a fresh one, printed)
//   AURORA_MONKEY_ACTIONS  how many actions (default 300; `cargo xtask soak` runs 1,000)
//
// A failure prints the seed, the actions so far and the command that replays them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, launch, screenshot, url } from './browser.mjs';

const SEED = Number(process.env.AURORA_MONKEY_SEED ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
const ACTIONS = Number(process.env.AURORA_MONKEY_ACTIONS ?? 300);
// A page that does not answer for this long has frozen.
const UNRESPONSIVE_MS = 20_000;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// mulberry32: small, seedable, the same sequence on every machine.
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (list) => list[int(list.length)];
  // `[[weight, value], ...]`
  const weighted = (pairs) => {
    let r = next() * pairs.reduce((sum, [w]) => sum + w, 0);
    for (const [w, value] of pairs) {
      r -= w;
      if (r < 0) return value;
    }
    return pairs.at(-1)[1];
  };
  return { next, int, pick, weighted };
}

// The address's parameters (web/src/url.rs) with values the page accepts, and ones it must
// refuse with a notice.
const SPEEDS = ['0.001', '0.01', '0.05', '0.2', '1', '20', '1000', '10000'];
const FALLBACK_SCENARIOS = ['replicas', 'quorum-write', 'az-failure', 'failover', 'e-commerce'];
const GARBAGE = ['', 'x', '-1', '1e309', 'NaN', '%', '%zz', '%FF', '<b>hi</b>', '😀', '18446744073709551616', '0x10', ' 1', 'true'];

function actionItem(r) {
  const at = r.int(30_000_000);
  return r.weighted([
    [3, `${at}.fail-az.${r.pick('abc')}`],
    [2, `${at}.heal-az.${r.pick('abc')}`],
    [2, `${at}.cut-az.${r.pick('abc')}`],
    [2, `${at}.crash.${r.pick(['az-a-1', 'az-b-2', 'az-c-4', 'instance-1', 'writer', 'nobody'])}`],
    [1, `${at}.restart.az-a-1`],
    [1, `${at}.slow.az-b-1`],
    [2, `${at}.lose.${r.int(40)}`],
    [2, `${at}.failover`],
    [1, `${at}.add-replica.${r.pick('abc')}`],
    [1, `${at}.load.${r.int(25_000)}-${r.int(120)}`],
    [1, r.pick(GARBAGE)],
  ]);
}

function randomQuery(r, scenarios) {
  const value = {
    scenario: () => r.pick(scenarios),
    seed: () => String(r.weighted([[3, r.int(1000)], [1, Math.floor(r.next() * 2 ** 53)]])),
    speed: () => r.pick(SPEEDS),
    t: () => String(r.weighted([[4, r.int(20_000_000)], [1, r.int(400_000_000)], [1, '18446744073709551615']])),
    actions: () => Array.from({ length: 1 + r.int(5) }, () => actionItem(r)).join('_'),
    embed: () => r.pick(['1', '0']),
    autoplay: () => r.pick(['1', '0', 'yes']),
    replicas: () => String(r.int(16)),
    bench: () => r.pick(['0', '1']),
    lesson: () => r.pick(['six-copies', 'losing-an-az', 'e-commerce-failover', 'capacity', 'global-database', 'no-such-lesson']),
    step: () => String(1 + r.int(12)),
  };
  const names = [...Object.keys(value), r.pick(['colour', 'x', '', '%41'])];
  const params = [];
  for (let i = 0, n = r.int(5); i < n; i += 1) {
    const name = r.pick(names);
    const good = r.next() < 0.75 && value[name];
    const v = good ? value[name]() : r.pick(GARBAGE);
    params.push(`${encodeURIComponent(name)}=${encodeURIComponent(v)}`);
  }
  return params.length ? `?${params.join('&')}` : '';
}

// Every visible, enabled thing a person can use in the app, marked so one can be picked.
const PICKABLE =
  '#aurora-playground :is(button, input, select, summary, [role="button"], [tabindex="0"]):not([disabled])';
const KEYS = [' ', 'k', 'n', '.', '+', '-', ']', '[', 'ArrowLeft', 'ArrowRight', '1', '2', '3', 'x', 'f', 'r', 'l', '?', 'h', 'Escape', 'Tab', 'Enter', 'q', 'PageDown', 'PageUp', '>', '<'];

async function pickControl(page, r) {
  return page.evaluate(
    ([selector, roll]) => {
      const all = [...document.querySelectorAll(selector)].filter(
        (el) => el.checkVisibility() && !el.closest('[inert]'),
      );
      if (all.length === 0) return null;
      for (const el of document.querySelectorAll('[data-monkey]')) el.removeAttribute('data-monkey');
      const el = all[Math.floor(roll * all.length)];
      el.setAttribute('data-monkey', 'pick');
      const name = el.getAttribute('aria-label') || el.textContent.trim().slice(0, 40);
      return {
        tag: el.tagName.toLowerCase(),
        type: el.getAttribute('type') ?? '',
        name,
        min: Number(el.getAttribute('min') ?? 0),
        max: Number(el.getAttribute('max') ?? 100),
        options: el.tagName === 'SELECT' ? el.options.length : 0,
      };
    },
    [PICKABLE, r.next()],
  );
}

// Uses the picked control as a person would; a control that moved or went away in between is
// clicked through the DOM instead.
async function useControl(page, r, control) {
  const target = page.locator('[data-monkey="pick"]');
  if (control.tag === 'select') {
    await target.selectOption({ index: r.int(Math.max(control.options, 1)) }, { timeout: 2000 });
    return `select option in ${control.name}`;
  }
  if (control.tag === 'input' && control.type === 'range') {
    const v = control.min + r.next() * (control.max - control.min);
    await target.fill(String(Math.round(v * 1000) / 1000), { timeout: 2000 });
    return `set ${control.name} to ${v.toFixed(3)}`;
  }
  if (control.tag === 'input' && !['checkbox', 'radio', 'button', 'submit'].includes(control.type)) {
    const numbers = ['42', '0', '-5', '99999999999999999999', '', '1.5', '1e3'];
    const text = r.pick(control.type === 'number' ? numbers : [...numbers, 'abc', '<i>x</i>']);
    await target.fill(text, { timeout: 2000 });
    await target.press('Enter', { timeout: 2000 });
    return `type ${JSON.stringify(text)} into ${control.name}`;
  }
  try {
    await target.click({ timeout: 1500 });
  } catch {
    await target.evaluate((el) => el.dispatchEvent(new MouseEvent('click', { bubbles: true })));
  }
  return `click ${control.tag} ${JSON.stringify(control.name)}`;
}

async function waitForApp(page) {
  await page.waitForSelector('.clock .now, #aurora-error', { timeout: UNRESPONSIVE_MS });
}

async function answers(page) {
  let timer;
  const frozen = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the page did not answer for ${UNRESPONSIVE_MS} ms`)), UNRESPONSIVE_MS);
  });
  try {
    return await Promise.race([page.evaluate(() => document.getElementById('aurora-error')?.innerText ?? null), frozen]);
  } finally {
    clearTimeout(timer);
  }
}

test(`monkey: ${ACTIONS} random actions, seed ${SEED}`, async () => {
  console.log(`monkey seed ${SEED} (replay: AURORA_MONKEY_SEED=${SEED} AURORA_MONKEY_ACTIONS=${ACTIONS} node --test e2e/monkey.test.mjs)`);
  const r = prng(SEED);
  const context = await browser.newContext({ viewport: DESKTOP });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.effectiveDirective} ${e.blockedURI || 'inline'}`),
    );
  });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('dialog', (d) => d.dismiss());
  page.on('popup', (p) => p.close());

  const done = [];
  let reloads = 0;
  const fail = async (why) => {
    const shot = await screenshot(page, `monkey-${SEED}`).catch(() => 'none');
    const list = done.map((a, i) => `  ${i + 1}. ${a}`).join('\n');
    assert.fail(
      `${why}\nmonkey seed ${SEED}, after ${done.length} actions (screenshot ${shot}):\n${list}\n` +
        `replay: AURORA_MONKEY_SEED=${SEED} AURORA_MONKEY_ACTIONS=${done.length} node --test e2e/monkey.test.mjs`,
    );
  };

  await page.goto(url);
  await waitForApp(page);
  const scenarios = await page
    .locator('#scenario-picker option')
    .evaluateAll((options) => options.map((o) => o.value).filter(Boolean));
  const names = scenarios.length ? scenarios : FALLBACK_SCENARIOS;

  for (let i = 0; i < ACTIONS; i += 1) {
    const kind = r.weighted([
      [40, 'control'],
      [15, 'key'],
      [12, 'scrub'],
      [8, 'speed'],
      [8, 'reload'],
      [10, 'wait'],
      [7, 'node'],
    ]);
    let what = kind;
    try {
      if (kind === 'control' || kind === 'node') {
        const control =
          kind === 'node'
            ? await page.evaluate((roll) => {
                const nodes = [...document.querySelectorAll('#aurora-playground svg [role="button"]')];
                if (!nodes.length) return null;
                for (const el of document.querySelectorAll('[data-monkey]')) el.removeAttribute('data-monkey');
                const el = nodes[Math.floor(roll * nodes.length)];
                el.setAttribute('data-monkey', 'pick');
                return { tag: 'node', type: '', name: el.getAttribute('aria-label') ?? '' };
              }, r.next())
            : await pickControl(page, r);
        what = control ? await useControl(page, r, control) : 'nothing to click';
      } else if (kind === 'key') {
        const key = r.pick(KEYS);
        await page.keyboard.press(key);
        what = `key ${JSON.stringify(key)}`;
      } else if (kind === 'scrub') {
        const timeline = page.getByRole('slider', { name: 'Timeline' });
        const max = Number((await timeline.getAttribute('max', { timeout: 2000 })) ?? 0);
        const v = Math.round(r.next() * max * 1000) / 1000;
        await timeline.fill(String(v), { timeout: 2000 });
        what = `scrub to ${v} ms`;
      } else if (kind === 'speed') {
        const speed = page.getByRole('slider', { name: 'Speed' });
        const max = Number((await speed.getAttribute('max', { timeout: 2000 })) ?? 0);
        const v = r.int(max + 1);
        await speed.fill(String(v), { timeout: 2000 });
        what = `speed index ${v}`;
      } else if (kind === 'reload') {
        const query = randomQuery(r, names);
        what = `open ${query || '(no parameters)'}`;
        reloads += 1;
        await page.goto(new URL(query, url).href, { timeout: UNRESPONSIVE_MS });
        await waitForApp(page);
      } else {
        const ms = 50 + r.int(600);
        await page.waitForTimeout(ms);
        what = `wait ${ms} ms`;
      }
    } catch (error) {
      // A control that went away or was covered between picking and using it is not a fault of
      // the page; a page that stopped answering is, and is caught just below.
      what += ` (skipped: ${error.message.split('\n')[0]})`;
    }
    done.push(what);
    let panel;
    try {
      panel = await answers(page);
    } catch (error) {
      await fail(error.message);
    }
    if (panel) await fail(`the panic panel appeared: ${panel}`);
    if (problems.length) await fail(problems.join('\n'));
  }
  const skipped = done.filter((a) => a.includes('(skipped: ')).length;
  if (process.env.AURORA_MONKEY_LOG) console.log(done.join('\n'));
  console.log(
    `monkey summary: seed ${SEED}, ${done.length} actions (${reloads} reloads, ${skipped} skipped), ${problems.length} problems`,
  );
  await context.close();
});

// Lesson mode end to end: lesson 6 (the shop loses its writer's AZ) walked by keyboard only,
// a prediction answered and checked by the model, "Try it yourself" and back, a lesson file
// loaded from the served folder (and a malformed one with its line:column errors), progress
// kept across a reload, and screenshots of a step at desktop and phone width, light and dark.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, PHONE, launch, open, screenshot, screenshots, url } from './browser.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const panel = (page) => page.getByRole('region', { name: /The shop loses its writer's AZ|Six copies/ });

// Presses Tab until the focused element's accessible text matches `name`; keyboard only.
async function tabTo(page, name, limit = 120) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const text = await page.evaluate(() => {
      const el = document.activeElement;
      return el ? `${el.getAttribute('aria-label') ?? ''}|${el.textContent ?? ''}` : '';
    });
    if (name.test(text)) return;
  }
  throw new Error(`no focusable element matching ${name} within ${limit} tabs`);
}

async function position(page) {
  return (await page.locator('.lesson-position').textContent()).trim();
}

// Waits until the step's condition is reached (Next enabled or the lesson complete).
async function waitReached(page, timeout = 60000) {
  await page.locator('.lesson-status', { hasText: /Ready|complete/ }).waitFor({ timeout });
}

test('lesson 6 by keyboard only: steps, a prediction the model checks, try it yourself and back', async () => {
  const { page, context, problems } = await open(browser, { path: '?lesson=e-commerce-failover' });
  await panel(page).waitFor();
  assert.equal(await position(page), 'Step 1 of 9');
  // The narration's figures come from the model: no placeholder is left in the text.
  const narration = await page.locator('.narration').textContent();
  assert.doesNotMatch(narration, /\{[a-z_]+\}/, narration);
  assert.match(narration, /10 replicas/, narration);
  // The diagram rings the step's parts and dims the rest.
  assert.ok((await page.locator('.spotlight-ring').count()) >= 1, 'rings on the diagram');
  assert.equal(await page.locator('.spotlight-veil').count(), 1);

  // Steps 1 and 2 go on when the model reaches their time; Page Down moves on.
  await waitReached(page);
  await page.keyboard.press('PageDown');
  await page.locator('.lesson-position', { hasText: 'Step 2 of 9' }).waitFor();
  await waitReached(page);
  await page.keyboard.press('PageDown');
  await page.locator('.lesson-position', { hasText: 'Step 3 of 9' }).waitFor();

  // Step 3 asks before the model shows: the clock holds until an answer is given.
  const question = page.locator('.prediction-question');
  assert.match(await question.textContent(), /How long until a replica is the writer/);
  const clock = async () => page.locator('.playback .clock').textContent();
  const held = await clock();
  await page.waitForTimeout(600);
  assert.equal(await clock(), held, 'the model waits for the answer');
  await tabTo(page, /Up to fifteen minutes/);
  await page.keyboard.press('Enter');
  // The model decides: the failover finishes and the card shows what really happened.
  await page.locator('.prediction-status', { hasText: /Not this time|Right/ }).waitFor({ timeout: 90000 });
  const status = await page.locator('.prediction-status').textContent();
  assert.match(status, /Not this time\. What the model did: Under a minute/, status);
  const explanation = await page.locator('.explanation').textContent();
  assert.match(explanation, /The failover took \d+(\.\d)? s/, explanation);
  assert.equal(await page.locator('.answer.model').count(), 1);
  await screenshot(page, 'lesson-prediction-desktop-light');

  // Try it yourself: free play at this moment, then back to the step as it was.
  const at = await clock();
  await tabTo(page, /^\|Try it yourself$/);
  await page.keyboard.press('Enter');
  await page.locator('.lesson-trying').waitFor();
  assert.equal(await clock(), at, 'free play starts at the same moment');
  // In free play the controls are the student's: fail AZ b with keys (2 selects it, X fails it).
  await page.keyboard.press('Escape');
  await page.keyboard.press('2');
  await page.keyboard.press('x');
  await page.getByRole('button', { name: /Availability Zone b, failed/ }).waitFor();
  await tabTo(page, /Back to the lesson/);
  await page.keyboard.press('Enter');
  await page.locator('.prediction-status', { hasText: /What the model did/ }).waitFor();
  assert.equal(await position(page), 'Step 3 of 9');
  assert.equal(await clock(), at, 'back at the moment the lesson left');
  assert.equal(await page.getByRole('button', { name: /Availability Zone b, healthy/ }).count(), 1,
    'what free play did is not in the lesson');

  // On through the failover's phases to the last step, a "your turn": heal AZ a.
  for (let step = 4; step <= 9; step++) {
    await page.keyboard.press('PageDown');
    await page.locator('.lesson-position', { hasText: `Step ${step} of 9` }).waitFor();
    if (await page.locator('.prediction-question').count()) {
      await tabTo(page, /^\|None$/);
      await page.keyboard.press('Enter');
      await page.locator('.prediction-status', { hasText: /Right: None/ }).waitFor({ timeout: 30000 });
    }
    if (step < 9) await waitReached(page);
  }
  // Page Up goes back a step, Page Down returns.
  await page.keyboard.press('PageUp');
  await page.locator('.lesson-position', { hasText: 'Step 8 of 9' }).waitFor();
  await waitReached(page);
  await page.keyboard.press('PageDown');
  await page.locator('.lesson-position', { hasText: 'Step 9 of 9' }).waitFor();
  await page.locator('.your-turn', { hasText: 'Your turn: heal AZ a' }).waitFor();
  // Something else than the step's turn is refused with a word of why.
  await page.keyboard.press('Escape');
  await page.keyboard.press('3');
  await page.keyboard.press('x');
  await page.locator('.notice', { hasText: /waits for you to heal AZ a/ }).waitFor();
  await page.keyboard.press('1');
  await page.keyboard.press('x');
  await page.locator('.your-turn.done').waitFor();
  await waitReached(page);
  assert.match(await page.locator('.lesson-status').textContent(), /complete/);
  assert.deepEqual(problems, []);

  // The picker marks the lesson done, kept across a reload; the control clears it.
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Aurora Playground' }).waitFor();
  await tabTo(page, /^\|Lessons$/);
  await page.keyboard.press('Enter');
  const entry = page.getByRole('button', { name: /^The shop loses its writer's AZ: .*, done\)$/ });
  await entry.waitFor();
  await page.getByRole('button', { name: 'Clear my progress' }).click();
  await page.getByRole('button', { name: /^The shop loses its writer's AZ: .*steps\)$/ }).waitFor();
  await context.close();
});

test('a link opens a lesson at a step, in an embed too, and Copy link writes it', async () => {
  const { page, context, problems } = await open(browser, {
    path: '?lesson=e-commerce-failover&step=2&embed=1',
  });
  await panel(page).waitFor();
  assert.equal(await position(page), 'Step 2 of 9');
  await page.getByRole('button', { name: 'Copy a link to this step' }).click();
  await page.locator('.notice', { hasText: /Copy the link|Link copied/ }).waitFor();
  const link = await page.getByRole('textbox', { name: 'Link to this step' }).inputValue();
  assert.ok(link.endsWith('?lesson=e-commerce-failover&step=2'), link);
  assert.deepEqual(problems, []);
  await context.close();

  // The full page's address follows the lesson's step, and L copies the same link.
  const full = await open(browser, { path: '?lesson=e-commerce-failover&step=1' });
  await panel(full.page).waitFor();
  await full.page.locator('.lesson-status', { hasText: /Ready/ }).waitFor({ timeout: 60000 });
  await full.page.keyboard.press('PageDown');
  await full.page.locator('.lesson-position', { hasText: 'Step 2 of 9' }).waitFor();
  assert.ok(full.page.url().endsWith('?lesson=e-commerce-failover&step=2'), full.page.url());
  await full.page.keyboard.press('l');
  const copied = await full.page.getByRole('textbox', { name: 'Link to this step' }).inputValue();
  assert.ok(copied.endsWith('?lesson=e-commerce-failover&step=2'), copied);
  assert.deepEqual(full.problems, []);
  await full.context.close();
});

test('a lesson file loads from the served folder; a malformed one shows every error with its line and column', async () => {
  const { page, context, problems } = await open(browser, { path: '?lesson-file=lessons/six-copies.lesson&step=1' });
  await panel(page).waitFor();
  assert.equal(await position(page), 'Step 1 of ' + (await page.locator('.lesson-bar').getAttribute('max')));
  assert.deepEqual(problems, []);

  // The same origin's file, with two mistakes (a figure and a highlight that do not exist).
  await page.route('**/lessons/broken.lesson', (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/plain',
      body: [
        'lesson broken',
        'title A broken lesson',
        'summary Two mistakes.',
        'minutes 1',
        'scenario quorum-write',
        'challenge None.',
        '',
        'step One',
        'say The volume has {no_such_figure} copies.',
        'highlight spaceship 3',
        'until wait 1s',
        '',
      ].join('\n'),
    }),
  );
  await page.goto(new URL('?lesson-file=lessons/broken.lesson', page.url()).href);
  const errors = page.getByRole('alert').filter({ hasText: 'could not be used' });
  await errors.waitFor();
  const items = await errors.locator('li').allTextContents();
  assert.ok(items.length >= 2, items.join('\n'));
  for (const item of items) assert.match(item, /^\d+:\d+: /, item);
  assert.ok(items.some((i) => i.startsWith('9:')), items.join('\n'));
  assert.ok(items.some((i) => i.startsWith('10:')), items.join('\n'));
  await context.close();
});

test('in a sandboxed frame without storage a lesson plays and finishes, and nothing complains', async () => {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  const outer = new URL('sandboxed-lesson-page.html', url).href;
  await page.route(outer, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><title>course</title>
        <iframe sandbox="allow-scripts" src="./?lesson=six-copies&amp;embed=1"
          title="Aurora Playground lesson" width="1100" height="1100"></iframe>`,
    }),
  );
  await page.goto(outer);
  const frame = page.frameLocator('iframe');
  await frame.locator('.lesson-panel').waitFor();
  const inner = page.frames().find((f) => f !== page.mainFrame());
  await assert.rejects(inner.evaluate(() => localStorage.length), /SecurityError|denied/, 'storage stays closed');
  // Play the first step to its moment and go on, by the lesson's own keys.
  await frame.getByRole('button', { name: /^Play/ }).click();
  await frame.locator('.lesson-status', { hasText: /Ready/ }).waitFor({ timeout: 30000 });
  await frame.getByRole('button', { name: 'Next step' }).click();
  await frame.locator('.lesson-position', { hasText: /^Step 2 of / }).waitFor();
  assert.deepEqual(problems, []);
  assert.equal(await frame.locator('#aurora-error').count(), 0, 'no error panel');
  await context.close();
});

for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  for (const colorScheme of ['light', 'dark']) {
    test(`a lesson step at ${label} width, ${colorScheme}`, async () => {
      const { page, context, problems } = await open(browser, {
        viewport,
        colorScheme,
        path: '?lesson=e-commerce-failover&step=3',
      });
      await panel(page).waitFor();
      await page.locator('.prediction-question').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px over)`);
      await screenshot(page, `lesson-step-${label}-${colorScheme}`);
      // The first screen as it is seen, without scrolling: the diagram and what it rings.
      await page.screenshot({ path: `${screenshots}/lesson-step-${label}-${colorScheme}-screen.png` });
      await page.locator('.lesson-panel').screenshot({
        path: `${screenshots}/lesson-panel-${label}-${colorScheme}.png`,
      });
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
}

import type { CreateClusterResponse, CreateExerciseResponse } from '@overcommit/contracts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browser, type Stack, startStack, watchPage } from './harness';

// Every page on a phone (390x844, and 360 px wide), in Chromium: no sideways scroll
// (document.scrollWidth <= innerWidth), the cluster's name and badges whole, and a team's page
// before the instructor starts saying so, with no control the team cannot use.
const screenshots = join(__dirname, '../../../docs/screenshots');

const PHONES = [
  { width: 390, height: 844 },
  { width: 360, height: 740 },
];

/** How far the page scrolls sideways (0 when it fits). */
async function overflow(page: Page): Promise<{ scroll: number; inner: number; widest: string }> {
  const screen = page.viewportSize()!.width;
  return page.evaluate((screen) => {
    const inner = window.innerWidth;
    const scroll = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
    // For the failure message: the element that reaches furthest right.
    let widest = '';
    let right = screen;
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect();
      if (r.right > right + 0.5 && r.width > 0) {
        right = r.right;
        widest = `${el.tagName.toLowerCase()}.${String(el.className).slice(0, 60)} (right ${Math.round(r.right)})`;
      }
    }
    return { scroll, inner, widest };
  }, screen);
}

async function expectNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const o = await overflow(page);
  if (o.scroll > o.inner || o.inner > page.viewportSize()!.width)
    throw new Error(`${what}: ${o.scroll} px wide on a ${o.inner} px screen; widest: ${o.widest}`);
  expect(o.scroll).toBeLessThanOrEqual(o.inner);
  // And the page is not zoomed out to fit something wide: the screen is the phone's.
  expect(o.inner).toBe(page.viewportSize()!.width);
}

describe('every page on a phone, in Chromium', () => {
  let stack: Stack;
  let chromium: Browser;
  let cluster: CreateClusterResponse;
  let exercise: CreateExerciseResponse;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    stack = await startStack();
    chromium = await browser();
    cluster = await stack.createCluster({ scenarioName: 'demo' });
    const res = await stack.api<CreateExerciseResponse>('/api/exercises', {
      method: 'POST',
      body: { scenarioName: 'exercises/cpu-contention', teams: ['Red'] },
      headers: { origin: stack.webUrl },
    });
    expect(res.status).toBe(201);
    exercise = res.body;
  }, 180_000);

  afterAll(async () => {
    await chromium?.close();
    await stack?.stop();
  });

  async function phone(size: { width: number; height: number }): Promise<{
    context: BrowserContext;
    page: Page;
    problems: string[];
  }> {
    const context = await chromium.newContext({
      viewport: size,
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    await context.addInitScript(() => window.localStorage.setItem('overcommit:name', 'Ana'));
    const page = await context.newPage();
    return { context, page, problems: watchPage(page) };
  }

  const live = (page: Page) =>
    page
      .getByTestId('connection')
      .and(page.locator('[data-state=live]'))
      .waitFor({ timeout: 20_000 });

  it.each(PHONES)(
    'the cluster page, its host page and the glossary fit $width px',
    async (size) => {
      const { context, page, problems } = await phone(size);
      await page.goto(`${stack.webUrl}/clusters/${cluster.id}?token=${cluster.operatorToken}`);
      await live(page);
      await page
        .getByTestId('who-suffers')
        .locator('.suffer-row, [data-testid=none-suffer]')
        .first()
        .waitFor({ timeout: 20_000 });
      await page.getByTestId('chart-cpu').locator('svg').first().waitFor();
      await page.getByTestId('activity').waitFor();
      // The VM table scrolls inside itself, not the page.
      await page.getByLabel('show VM table (streams per-VM metrics)').check();
      await page.getByTestId('vm-table').locator('tbody tr').first().waitFor();
      await expectNoSidewaysScroll(page, 'cluster page');
      // The name and the badges are whole, not cut with an ellipsis.
      const name = page.locator('.cluster-name');
      const cut = await name.evaluate((el) => el.scrollWidth > el.clientWidth + 1);
      expect(cut).toBe(false);
      for (const badge of [
        page.getByTestId('role'),
        page.locator('.title-group .mantine-Badge-root').first(),
      ]) {
        const inner = await badge.evaluate((el) => {
          const label = el.querySelector('.mantine-Badge-label') ?? el;
          return label.scrollWidth <= label.clientWidth + 1;
        });
        expect(inner).toBe(true);
      }
      // The page's top for the screenshot (instantly: no smooth scrolling under way).
      await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
      if (size.width === 390)
        await page.screenshot({ path: join(screenshots, 'phone-cluster.png'), fullPage: false });
      // The host page: NUMA boxes and charts within the screen.
      const first = await page.locator('.host-tile').first().getAttribute('data-testid');
      await page.goto(
        `${stack.webUrl}/clusters/${cluster.id}/hosts/${first!.slice('host-'.length)}?token=${cluster.operatorToken}`,
      );
      await page.getByTestId('topology').waitFor({ timeout: 20_000 });
      await page
        .getByTestId('chart-host-memory')
        .locator('svg')
        .first()
        .waitFor({ timeout: 20_000 });
      await expectNoSidewaysScroll(page, 'host page');
      await page.goto(`${stack.webUrl}/glossary`);
      await page.getByTestId('glossary').waitFor();
      await expectNoSidewaysScroll(page, 'glossary');
      await page.goto(stack.webUrl);
      await page.getByTestId(`cluster-${cluster.id}`).waitFor({ timeout: 10_000 });
      await expectNoSidewaysScroll(page, 'home page');
      expect(problems).toEqual([]);
      await context.close();
    },
  );

  it('a finger dragged sideways across a chart zooms it; dragged up, it scrolls the page', async () => {
    const { context, page, problems } = await phone(PHONES[0]!);
    await page.goto(`${stack.webUrl}/clusters/${cluster.id}?token=${cluster.operatorToken}`);
    await live(page);
    const chart = page.getByTestId('chart-cpu');
    await chart.locator('svg').first().waitFor({ timeout: 20_000 });
    // A few ticks to zoom into.
    await page.waitForFunction(
      () =>
        Number(document.querySelector('[data-testid=chart-cpu]')?.getAttribute('data-points')) >= 8,
      undefined,
      { timeout: 20_000 },
    );
    await chart.scrollIntoViewIfNeeded();
    const box = (await chart.locator('.chart-box').boundingBox())!;
    const cdp = await context.newCDPSession(page);
    const touch = async (points: { x: number; y: number }[]) => {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [points[0]!] });
      for (const p of points.slice(1))
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [p] });
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    };
    const steps = (from: { x: number; y: number }, to: { x: number; y: number }, n = 10) =>
      Array.from({ length: n + 1 }, (_, k) => ({
        x: from.x + ((to.x - from.x) * k) / n,
        y: from.y + ((to.y - from.y) * k) / n,
      }));
    // Up: the page scrolls, nothing zooms.
    const midX = box.x + box.width / 2;
    const before = await page.evaluate(() => window.scrollY);
    await touch(steps({ x: midX, y: box.y + box.height - 10 }, { x: midX, y: box.y + 10 }));
    await page.waitForFunction((y) => window.scrollY > y, before, { timeout: 5_000 });
    expect(await page.getByTestId('time-range').count()).toBe(0);
    // Sideways: the range dragged across is shown, on this chart and the panel's others.
    const at = (await chart.locator('.chart-box').boundingBox())!;
    const y = at.y + at.height / 2;
    await touch(steps({ x: at.x + at.width * 0.3, y }, { x: at.x + at.width * 0.75, y }));
    const range = page.getByTestId('time-range').first();
    await range.waitFor({ timeout: 5_000 });
    const [from, to] = (await range.textContent())!.split('–');
    expect(from).not.toBe(to);
    await page.getByTestId('back-to-live').first().waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a team’s page before the instructor starts: waiting, no time controls, no green "live"', async () => {
    const { context, page, problems } = await phone(PHONES[0]!);
    await page.goto(exercise.teams[0]!.operatorLink);
    await live(page);
    const waiting = page.getByTestId('exercise-waiting');
    await waiting
      .getByText('waiting for the instructor to start the exercise')
      .waitFor({ timeout: 10_000 });
    // The briefing is open to read meanwhile.
    expect(await waiting.getByTestId('exercise-briefing').getAttribute('open')).not.toBeNull();
    // Every panel says the same, not "waiting for the first frame".
    expect(await page.getByText('waiting for the first frame…').count()).toBe(0);
    await page
      .getByTestId('host-grid')
      .getByText('waiting for the instructor to start the exercise')
      .waitFor();
    // Connected, but not "live": nothing moves yet.
    expect(await page.getByTestId('connection').textContent()).toContain('not started');
    // The instructor controls time: no Resume, no Pause, no speed for the team.
    expect(
      await page.getByRole('button', { name: /Resume the cluster|Pause the cluster/ }).count(),
    ).toBe(0);
    expect(await page.getByRole('combobox', { name: 'Speed' }).count()).toBe(0);
    await page.getByTestId('instructor-time').waitFor();
    await expectNoSidewaysScroll(page, 'team page');
    await page.screenshot({ path: join(screenshots, 'phone-team-waiting.png'), fullPage: false });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('the instructor’s page and the report fit a phone', async () => {
    const { context, page, problems } = await phone(PHONES[0]!);
    await page.goto(exercise.instructorLink);
    await page.getByTestId('scoreboard').waitFor({ timeout: 20_000 });
    await expectNoSidewaysScroll(page, 'instructor page');
    await page.goto(exercise.instructorLink.replace(/\?/, '/report?'));
    await page.getByTestId('report-page').waitFor({ timeout: 20_000 });
    await expectNoSidewaysScroll(page, 'report page');
    expect(problems).toEqual([]);
    await context.close();
  });
});

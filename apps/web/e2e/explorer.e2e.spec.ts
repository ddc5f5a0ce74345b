import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { browser, type Stack, startStack, watchPage } from './harness';

// The explorer's page in Chromium against the real API, worker, web app and Redis: a small
// scenario pasted into /sweeps/new, the sweep's progress, then its result (the answer, the chart,
// the grid of objectives, the table); a point opened as a new cluster runs live; in zh-CN the
// result's headings are Chinese. Saves docs/screenshots/explorer.png.
jest.setTimeout(240_000);

const screenshots = join(__dirname, '../../../docs/screenshots');
type Tree = { [key: string]: string | Tree };
const sweepMessages = (locale: string) =>
  JSON.parse(readFileSync(join(__dirname, '../messages', locale, 'sweep.json'), 'utf8')) as Tree;
const heading = (locale: string, group: string) =>
  ((sweepMessages(locale)[group] as Tree)['title'] as string).trim();

// Three hosts of 8 cores, ten VMs: a few points of five simulated minutes run in a few seconds.
const scenario = {
  version: 1,
  name: 'explorer-e2e',
  seed: 5,
  clock: { tickMs: 250, stepSeconds: 5 },
  hosts: [
    {
      name: 'esx',
      count: 3,
      cpu: { sockets: 1, coresPerSocket: 8, threadsPerCore: 2 },
      memoryGiB: 64,
    },
  ],
  vms: [
    { name: 'web', count: 8, vcpus: 2, memoryGiB: 8, workload: { cpu: 0.4 } },
    { name: 'db', count: 2, vcpus: 4, memoryGiB: 16, workload: { cpu: 0.5, memoryActive: 0.8 } },
  ],
};

describe('the explorer page', () => {
  let stack: Stack;
  let chromium: Browser;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    [stack, chromium] = await Promise.all([startStack(), browser()]);
  });
  afterAll(async () => {
    await chromium?.close();
    await stack?.stop();
  });

  /** Fills the form with the pasted scenario and a 2 x 2 grid, runs it, waits for the result. */
  async function runSweep(page: Page): Promise<void> {
    await page.goto(`${stack.webUrl}/sweeps/new`);
    await page.getByTestId('new-sweep').waitFor();
    await page
      .locator('[data-testid="new-sweep"] .mantine-SegmentedControl-root')
      .first()
      .locator('label')
      .nth(1)
      .click();
    await page.getByTestId('sweep-yaml').fill(JSON.stringify(scenario, null, 2));
    await page.getByTestId('sweep-cpu').fill('1:2:1');
    await page.getByTestId('sweep-ram').fill('1,1.5');
    await page.getByTestId('sweep-minutes').fill('5');
    await page.getByTestId('sweep-price').fill('10000');
    await page.getByTestId('sweep-submit').click();
    await page.waitForURL(/\/sweeps\/[0-9a-f]+\?token=/, { timeout: 20_000 });
    await page.getByTestId('sweep-result').waitFor({ timeout: 120_000 });
  }

  it('runs a sweep from the form, shows its answer, chart, grid and table, and opens a point live', async () => {
    const context = await chromium.newContext({
      viewport: { width: 1440, height: 1000 },
      locale: 'en-US',
    });
    // The name the cluster page asks for once per browser.
    await context.addInitScript(() => window.localStorage.setItem('overcommit:name', 'Ada'));
    const page = await context.newPage();
    const problems = watchPage(page);
    try {
      // A bad range is refused at its path, translated from its code.
      await page.goto(`${stack.webUrl}/sweeps/new`);
      await page.getByTestId('new-sweep').waitFor();
      await page
        .locator('[data-testid="new-sweep"] .mantine-SegmentedControl-root')
        .first()
        .locator('label')
        .nth(1)
        .click();
      await page.getByTestId('sweep-yaml').fill(JSON.stringify(scenario));
      await page.getByTestId('sweep-cpu').fill('4:1:1');
      await page.getByTestId('sweep-submit').click();
      const refusal = page.getByTestId('sweep-errors');
      await refusal.waitFor({ timeout: 20_000 });
      expect(await refusal.textContent()).toContain('request.cpu');
      // The browser logs the refusal's 400 as a console error: that one was asked for.
      expect(problems).toEqual([expect.stringContaining('status of 400')]);
      problems.splice(0);

      await runSweep(page);
      const answer = (await page.getByTestId('sweep-answer').textContent()) ?? '';
      expect(answer).toMatch(/densest policy that keeps the objectives|No policy of the grid/);
      await page.locator('[data-testid="sweep-chart"] svg').first().waitFor();
      expect(await page.getByTestId('sweep-cell').count()).toBe(4);
      expect(await page.getByTestId('sweep-row').count()).toBe(4);
      const kinds = await page
        .getByTestId('sweep-cell')
        .evaluateAll((cells) => cells.map((c) => c.getAttribute('data-kind')));
      expect(kinds).toContain('held');
      await page.screenshot({ path: join(screenshots, 'explorer.png'), fullPage: true });

      // Open the densest point as a new cluster: it runs live with the point's hosts.
      await page.getByTestId('sweep-open').last().click();
      await page.waitForURL(/\/clusters\/[^/?]+\?token=/, { timeout: 30_000 });
      await page
        .getByTestId('connection')
        .and(page.locator('[data-state=live]'))
        .waitFor({ timeout: 30_000 });
      await page.waitForFunction(
        () =>
          Number(
            document.querySelector('[data-testid="cluster-header"]')?.getAttribute('data-tick') ||
              0,
          ) > 2,
        undefined,
        { timeout: 30_000 },
      );
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('says the result in Chinese for a zh-CN browser, and keeps a phone free of sideways scroll', async () => {
    const context = await chromium.newContext({
      viewport: { width: 390, height: 844 },
      locale: 'zh-CN',
    });
    const page = await context.newPage();
    const problems = watchPage(page);
    try {
      await runSweep(page);
      for (const group of ['answer', 'chart', 'grid', 'table']) {
        const text = heading('zh-Hans', group);
        expect(text).not.toBe(heading('en', group));
        await page.getByRole('heading', { name: text }).waitFor();
      }
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

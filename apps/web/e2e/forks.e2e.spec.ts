import type { ClusterSummary, CreateClusterResponse } from '@overcommit/contracts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browser, type Stack, startStack, watchPage } from './harness';

// What-if forks in Chromium (issue 20), against the built API (with its worker), the built
// dashboard and a real Redis: fork a running cluster from its page, land on the fork, change its
// policy, run it ahead, and see the source's dashed lines on its charts and the side-by-side summary.
const scenario = {
  version: 1,
  name: 'Fork browser test',
  seed: 3,
  clock: { tickMs: 500, stepSeconds: 1 },
  policy: { cpuAllocationRatio: 4, ramAllocationRatio: 1.5 },
  hosts: [{ name: 'esx', count: 3, cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 }],
  vms: [
    {
      name: 'web',
      count: 10,
      vcpus: 2,
      memoryGiB: 8,
      workload: { profile: 'bursty', cpu: 0.5, amplitude: 0.6, periodSeconds: 20 },
    },
  ],
};

describe('what-if forks in Chromium (real API, worker, web app and Redis)', () => {
  let stack: Stack;
  let chromium: Browser;
  let context: BrowserContext;
  let cluster: CreateClusterResponse;

  beforeAll(async () => {
    stack = await startStack();
    chromium = await browser();
    cluster = await stack.createCluster({ scenario });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await chromium?.close();
    await stack?.stop();
  });

  it('forks, changes the fork, runs it ahead and compares it with its source', async () => {
    context = await chromium.newContext({ viewport: { width: 1440, height: 1000 } });
    await context.addInitScript(() => window.localStorage.setItem('overcommit:name', 'Ana'));
    const page: Page = await context.newPage();
    const problems = watchPage(page);
    await page.goto(`${stack.webUrl}/clusters/${cluster.id}?token=${cluster.operatorToken}`);
    await page
      .getByTestId('connection')
      .and(page.locator('[data-state=live]'))
      .waitFor({ timeout: 20_000 });
    // A few ticks for the fork to copy.
    await page.waitForFunction(
      () =>
        Number(document.querySelector('[data-testid=cluster-header]')?.getAttribute('data-tick')) >=
        3,
      undefined,
      { timeout: 20_000 },
    );

    await page.getByRole('button', { name: 'Fork' }).click();
    await page.waitForURL((url) => url.pathname !== `/clusters/${cluster.id}`, { timeout: 20_000 });
    const forkId = new URL(page.url()).pathname.split('/').pop()!;
    const panel = page.getByTestId('fork-panel');
    await panel.waitFor({ timeout: 20_000 });
    await page.getByTestId('fork-source').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(
      /^Fork browser test \(fork at \d\d:\d\d:\d\d\)$/,
    );
    // The fork is the operator's, private, paused.
    await page.getByTestId('role').getByText('operator').waitFor();
    const fork = (
      await stack.api<ClusterSummary>(`/api/clusters/${forkId}/summary?token=${tokenOf(page)}`)
    ).body;
    expect(fork).toMatchObject({ visibility: 'private', paused: true, forkOf: { id: cluster.id } });

    // Change the policy on the fork.
    await page.getByRole('button', { name: 'Policy…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('vCPUs per logical CPU (cpuAllocationRatio)').fill('2');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog
      .getByText(/queued|accepted/)
      .first()
      .waitFor({ timeout: 10_000 });
    await page.keyboard.press('Escape');

    // Run ahead ten minutes: the source has not got that far, so the comparison covers what both
    // have run since the fork; the source keeps going meanwhile.
    await panel.getByRole('button', { name: '+10 min' }).click();
    await page.waitForFunction(
      (at) =>
        Number(document.querySelector('[data-testid=cluster-header]')?.getAttribute('data-tick')) >=
        at + 600,
      fork.tick,
      { timeout: 30_000 },
    );
    const table = page.getByTestId('fork-compare');
    await table.waitFor({ timeout: 20_000 });
    expect(await table.textContent()).toMatch(/p95 CPU ready \(below 5%\)/);
    expect(await page.getByTestId('compare-ready-fork').textContent()).toMatch(/^\d+\.\d%$/);
    expect(await page.getByTestId('compare-ready-source').textContent()).toMatch(/^\d+\.\d%$/);
    expect(await page.getByTestId('compare-holds-fork').textContent()).toMatch(/held/);
    expect(await page.getByTestId('fork-verdict').textContent()).toMatch(/objectives/);

    // The source's lines, dashed, on the fork's CPU chart.
    const cpu = page.getByTestId('chart-cpu');
    await cpu.getByText('CPU ready (source)').waitFor();
    await page.waitForFunction(
      () =>
        document.querySelectorAll(
          '[data-testid=chart-cpu] path.recharts-curve[stroke-dasharray="4 3"]',
        ).length >= 2,
      undefined,
      { timeout: 20_000 },
    );
    // The README's picture of a fork: its panel and, below, the charts with the source dashed.
    const screenshots = join(__dirname, '../../../docs/screenshots');
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: join(screenshots, 'fork.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});

function tokenOf(page: Page): string {
  return new URL(page.url()).searchParams.get('token') ?? '';
}

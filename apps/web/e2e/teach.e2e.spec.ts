import type { CreateClusterResponse } from '@overcommit/contracts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { browser, type Stack, startStack, watchPage } from './harness';

// The dashboard that teaches, in Chromium against the real API, worker, web app and Redis: who
// suffers (the panel, the heat map's marks, the VM table's cells, one threshold table for all
// three), alarms that explain themselves (the state machine in words with units, the rule's
// measure, cause and remedy, one-click actions), hover help on metric names, the glossary, the
// host page's memory chart, and the activity a reload finds.
const screenshots = join(__dirname, '../../../docs/screenshots');
const TICK_MS = 250;

// esx-01 is small and its six busy guests (pinned there) want 12 vCPUs of its 4 cores: CPU ready
// climbs far past 10% at once, the host runs at 100%, and their alarms fire after their 20 s holds.
// esx-02 is big and idle: somewhere to migrate to.
const scenario = {
  version: 1,
  name: 'Teaching cluster',
  seed: 7,
  clock: { tickMs: TICK_MS, stepSeconds: 1 },
  hosts: [
    { name: 'esx-01', cpu: { sockets: 1, coresPerSocket: 4, threadsPerCore: 2 }, memoryGiB: 64 },
    { name: 'esx-02', cpu: { sockets: 2, coresPerSocket: 8, threadsPerCore: 2 }, memoryGiB: 128 },
  ],
  vms: [
    {
      name: 'busy',
      count: 6,
      vcpus: 2,
      memoryGiB: 4,
      host: 'esx-01',
      workload: { profile: 'constant', cpu: 0.9 },
    },
    {
      name: 'calm',
      count: 2,
      vcpus: 2,
      memoryGiB: 4,
      host: 'esx-02',
      workload: { profile: 'constant', cpu: 0.1 },
    },
  ],
};

describe('a dashboard that teaches who suffers and why, in Chromium', () => {
  let stack: Stack;
  let chromium: Browser;
  let cluster: CreateClusterResponse;
  let page: Page;
  let problems: string[];
  let url: string;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    stack = await startStack();
    chromium = await browser();
    cluster = await stack.createCluster({ scenario });
    const context = await chromium.newContext({ viewport: { width: 1440, height: 1000 } });
    await context.addInitScript(() => window.localStorage.setItem('overcommit:name', 'Lin'));
    page = await context.newPage();
    problems = watchPage(page);
    url = `${stack.webUrl}/clusters/${cluster.id}?token=${cluster.operatorToken}`;
    await page.goto(url);
    await page
      .getByTestId('connection')
      .and(page.locator('[data-state=live]'))
      .waitFor({ timeout: 20_000 });
  }, 180_000);

  afterAll(async () => {
    await chromium?.close();
    await stack?.stop();
  });

  it('who suffers: the busy guests, worst first, their figures against the thresholds', async () => {
    const panel = page.getByTestId('who-suffers');
    const busy = panel.locator('[data-testid^=suffer-vm-busy-]');
    await busy.first().waitFor({ timeout: 20_000 });
    // Every busy guest suffers, from CPU ready past the vm-cpu-ready rule's 10% (critical, ▲).
    expect(await busy.count()).toBe(6);
    const ready = busy.first().locator('[data-figure=ready]');
    expect(await ready.getAttribute('data-level')).toBe('critical');
    expect(await ready.textContent()).toMatch(/ready\s*▲\s*\d+\.\d%/);
    // The calm ones on the idle host do not.
    expect(await panel.locator('[data-testid^=suffer-vm-calm-]').count()).toBe(0);
    expect(await panel.locator('.suffer-summary').textContent()).toMatch(
      /6 of 8 running VMs suffer/,
    );
    // The heat map marks the host they are on, and only that host.
    await page.getByTestId('suffer-esx-01').getByText('6 suffer').waitFor();
    expect(await page.getByTestId('suffer-esx-02').count()).toBe(0);
    expect(await page.getByTestId('host-esx-01').getAttribute('data-suffering')).toBe('critical');
    // Each tile carries its own overcommit: 12 vCPUs on 8 logical CPUs.
    expect(await page.getByTestId('host-esx-01').locator('.host-ratios').textContent()).toContain(
      '1.50:1',
    );
    // The VM table colours the same cells by the same thresholds.
    await page.getByLabel('show VM table (streams per-VM metrics)').check();
    const cell = page.getByTestId('vm-busy-01').locator('[data-col=cpuReadyPct]');
    await cell.waitFor();
    expect(await cell.getAttribute('data-level')).toBe('critical');
    expect(
      await page
        .getByTestId('vm-calm-01')
        .locator('[data-col=cpuReadyPct]')
        .getAttribute('data-level'),
    ).toBeNull();
    // Ranked by one figure: performance lists the slowed guests.
    await panel.getByRole('combobox', { name: 'Rank VMs by' }).click();
    await page.getByRole('option', { name: 'by performance' }).click();
    await busy.first().waitFor();
    await panel.getByRole('combobox', { name: 'Rank VMs by' }).click();
    await page.getByRole('option', { name: 'worst first' }).click();
  });

  it('hover help on a metric name: definition and good and bad ranges; the glossary has it all', async () => {
    await page.getByTestId('who-suffers').locator('[data-help=ready]').hover();
    const card = page.getByTestId('help-ready');
    await card.waitFor();
    expect(await card.textContent()).toContain('ready to run but waited for a physical CPU');
    expect(await card.textContent()).toContain(
      'good below 5% · worth a look from 5% · a problem from 10%',
    );
    // A column head of the VM table explains its figure too.
    await page.getByTestId('vm-table').locator('[data-help=performance]').hover();
    await page.getByTestId('help-performance').waitFor();
  });

  it('an alarm explains itself: the state machine in words with units, the cause, the remedy, actions', async () => {
    const alarm = page
      .locator('[data-testid^=alarm-][data-severity=critical]')
      .filter({ hasText: 'vm-cpu-ready' })
      .filter({ hasText: 'busy-01' });
    await alarm.waitFor({ timeout: 30_000 });
    // Units on the value and the threshold; the state in one line, with when it clears.
    expect(await alarm.getByTestId('alarm-value').textContent()).toMatch(
      /^\d+\.\d\d% \(critical at 10%\)$/,
    );
    expect(await alarm.getByTestId('alarm-state').textContent()).toMatch(
      /^critical · firing since \d:\d\d:\d\d · clears below 4% \(warning below 8%\)$/,
    );
    await alarm.getByRole('button', { name: 'Explain vm-cpu-ready on busy-01' }).click();
    const why = alarm.getByTestId('alarm-explanation');
    await why.waitFor();
    const text = (await why.textContent())!;
    expect(text).toMatch(/Fired at \d:\d\d:\d\d, after the condition held for 20 s/);
    expect(text).toContain('It drops back to warning only below 8% and resolves below 4%');
    expect(text).toContain('What it measures');
    expect(text).toContain('One cook, two stoves');
    expect(text).toContain('live-migrate this VM');
    // Screenshots without the critical-alarm toast over them: the cluster page with who suffers
    // and this alarm explained, then the alarm alone.
    const toasts = await page.addStyleTag({
      content: '.mantine-Notifications-root { display: none }',
    });
    await alarm.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
    await page.screenshot({ path: join(screenshots, 'cluster.png') });
    await page.getByTestId('alarms').screenshot({ path: join(screenshots, 'alarm-explained.png') });
    await toasts.evaluate((el) => (el as Element).remove());
    // One click to the remedy: the migration dialog for this VM, hosts to choose from.
    await why.getByRole('button', { name: 'Migrate busy-01…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('target-esx-02').waitFor({ timeout: 10_000 });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    // A host's alarm offers to migrate one of its VMs off it.
    const host = page
      .locator('[data-testid^=alarm-]')
      .filter({ hasText: 'host-cpu-usage' })
      .filter({ hasText: 'esx-01' });
    await host.waitFor({ timeout: 30_000 });
    await host.getByRole('button', { name: 'Explain host-cpu-usage on esx-01' }).click();
    await host.getByRole('button', { name: 'Migrate a VM off esx-01…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Migrate busy-01' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
  });

  it('charts: drag across one to zoom, type an absolute range, go back to live', async () => {
    await page.getByTestId('chart-cpu').scrollIntoViewIfNeeded();
    const at = (await page.getByTestId('chart-cpu').locator('.chart-box').boundingBox())!;
    await page.mouse.move(at.x + at.width * 0.3, at.y + at.height / 2);
    await page.mouse.down();
    await page.mouse.move(at.x + at.width * 0.5, at.y + at.height / 2, { steps: 5 });
    await page.mouse.move(at.x + at.width * 0.7, at.y + at.height / 2, { steps: 5 });
    await page.mouse.up();
    const range = page.getByTestId('time-range').first();
    await range.waitFor();
    const [from, to] = (await range.textContent())!.split('–');
    expect(from).not.toBe(to);
    // Every chart of the panel shows that range (the power chart was not the one dragged).
    expect(
      Number(await page.getByTestId('chart-power').getAttribute('data-first-tick')),
    ).toBeGreaterThan(1);
    // An absolute range typed in.
    await page.getByRole('textbox', { name: 'From (simulated time)' }).first().fill('0:00:05');
    await page.getByRole('textbox', { name: 'To (simulated time)' }).first().fill('0:00:15');
    await page.getByRole('button', { name: 'Show' }).first().click();
    await range.getByText('0:00:05–0:00:15').waitFor();
    expect(await page.getByTestId('chart-cpu').getAttribute('data-first-tick')).toBe('5');
    expect(await page.getByTestId('chart-cpu').getAttribute('data-last-tick')).toBe('15');
    await page.getByTestId('back-to-live').first().click();
    await range.waitFor({ state: 'detached' });
  });

  it('the glossary, from the header', async () => {
    await page.getByTestId('glossary-link').click();
    await page.getByTestId('glossary').waitFor();
    expect(await page.locator('dt#ready').textContent()).toContain('CPU ready');
    expect(await page.locator('dt#hyper-threading').textContent()).toContain(
      'one cook, two stoves',
    );
    await page.goBack();
    await page.getByTestId('who-suffers').waitFor();
  });

  it('the host page: its alarms with units and explanations, a memory chart beside the CPU one', async () => {
    await page.getByTestId('host-esx-01').click();
    await page.getByTestId('topology').waitFor();
    await page.getByTestId('chart-host-cpu').waitFor();
    await page
      .getByTestId('chart-host-memory')
      .locator('svg path')
      .first()
      .waitFor({ timeout: 10_000 });
    const alarms = page.getByTestId('host-alarms');
    const row = alarms.locator('[data-testid^=alarm-]').filter({ hasText: 'host-cpu-usage' });
    await row.waitFor({ timeout: 10_000 });
    // Not a bare rule id: its words, its value with the unit, its state.
    expect(await row.textContent()).toContain('Host CPU usage');
    expect(await row.getByTestId('alarm-value').textContent()).toMatch(/%/);
    // VM chips are readable: dark text on light colours (yellow), white on dark ones. (They are
    // drawn once the first frame reaches the page: wait for one.)
    await page.getByTestId('numa-0').locator('.vcpu').first().waitFor({ timeout: 10_000 });
    const colours = await page
      .getByTestId('numa-0')
      .locator('.vcpu')
      .evaluateAll((els) => els.map((e) => getComputedStyle(e).color));
    expect(colours.length).toBeGreaterThan(0);
    await page.screenshot({ path: join(screenshots, 'host.png'), fullPage: true });
  });

  it('a reload opens on the recent activity from the history, not an empty feed', async () => {
    await page.goto(url);
    const activity = page.getByTestId('activity');
    // The placements of the first tick and the alarms that fired since, read from the history.
    await activity
      .getByText(/alarm fired on busy-0\d/)
      .first()
      .waitFor({ timeout: 15_000 });
    expect(await activity.locator('li').count()).toBeGreaterThan(6);
    expect(problems).toEqual([]);
  });

  it('a reload opens on the alarms that resolved, from the history', async () => {
    // busy-06's ready alarm has fired; powered off, the VM gives no reading and the alarm resolves.
    await page
      .getByTestId('activity')
      .getByText(/alarm fired on busy-06/)
      .first()
      .waitFor({ timeout: 30_000 });
    const res = await stack.api(
      `/api/clusters/${cluster.id}/commands?token=${cluster.operatorToken}`,
      { method: 'POST', body: { do: 'power-off-vm', target: 'busy-06' } },
    );
    expect(res.status).toBeLessThan(300);
    const alarms = page.getByTestId('alarms');
    await alarms
      .getByRole('button', { name: /^▸ resolved \([1-9]\d*\)$/ })
      .waitFor({ timeout: 15_000 });
    await page.reload();
    await page
      .getByTestId('connection')
      .and(page.locator('[data-state=live]'))
      .waitFor({ timeout: 20_000 });
    // Not "resolved (0)": the history's resolutions, busy-06's among them.
    const button = alarms.getByRole('button', { name: /^▸ resolved \([1-9]\d*\)$/ });
    await button.waitFor({ timeout: 15_000 });
    await button.click();
    const row = alarms.locator('.alarm-list.resolved li').filter({ hasText: 'busy-06' }).first();
    await row.waitFor();
    expect(await row.textContent()).toMatch(/vm-(cpu-ready|costop)/);
    expect(problems).toEqual([]);
  });
});

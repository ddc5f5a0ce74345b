import type { Browser, Page } from 'playwright-core';
import { browser, type Stack, startStack, watchPage } from './harness';

const badYaml = `version: 1
name: Broken
hosts:
  - name: esx
    count: 2
    cpu: { sockets: 0, coresPerSocket: 8 }
    memoryGiB: 64
vms:
  - name: web
    vcpus: 2
    memoryGiB: -4
`;

describe('creating a cluster from the home page, in Chromium', () => {
  let stack: Stack;
  let chromium: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    stack = await startStack();
    chromium = await browser();
    const context = await chromium.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    problems = watchPage(page);
    await page.goto(stack.webUrl);
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await stack?.stop();
  });

  it('shows each error of a bad scenario at its path, and creates nothing', async () => {
    const before = await stack.api<unknown[]>('/api/clusters');
    const form = page.getByTestId('new-cluster');
    await form.getByText('my scenario (YAML)').click();
    await form.getByLabel('Scenario YAML').fill(badYaml);
    await form.getByRole('button', { name: 'Create and start' }).click();
    const errors = page.getByTestId('create-errors');
    await errors.waitFor();
    const text = await errors.textContent();
    expect(text).toContain('hosts[0].cpu.sockets');
    expect(text).toContain('vms[0].memoryGiB');
    expect(text).toContain('Nothing was created.');
    const after = await stack.api<unknown[]>('/api/clusters');
    expect(after.body).toEqual(before.body);
  });

  it('creates a private cluster from a bundled scenario and gives both links, with copy buttons', async () => {
    problems.length = 0; // the 400 of the bad scenario above was expected
    const form = page.getByTestId('new-cluster');
    await form.getByText('a bundled scenario').click();
    await form.getByText('private: only with its link').click();
    await form.getByRole('button', { name: 'Create and start' }).click();
    const created = page.getByTestId('created');
    await created.waitFor();
    const operatorLink = await page.getByTestId('operator-link').inputValue();
    const viewerLink = await page.getByTestId('viewer-link').inputValue();
    expect(operatorLink).toMatch(new RegExp(`^${stack.webUrl}/clusters/\\w+\\?token=`));
    expect(viewerLink).toMatch(new RegExp(`^${stack.webUrl}/clusters/\\w+\\?token=`));
    expect(viewerLink).not.toBe(operatorLink);
    await created.getByRole('button', { name: /Copy the operator link/ }).waitFor();
    // A private cluster is not in the API's list, but this browser holds its operator link: the
    // home list shows it, marked private, opened with that link. One created elsewhere (no link
    // here) is never shown.
    const id = /clusters\/(\w+)/.exec(viewerLink)![1]!;
    const elsewhere = await stack.createCluster({ scenarioName: 'demo' }, 'private');
    const listed = await stack.api<{ id: string }[]>('/api/clusters');
    expect(listed.body.map((c) => c.id)).not.toContain(id);
    await page.goto(stack.webUrl);
    const row = page.getByTestId('clusters').getByTestId(`cluster-${id}`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getByTestId('private-mine').textContent()).toBe('private');
    expect(await row.getByRole('link').getAttribute('href')).toBe(
      operatorLink.slice(stack.webUrl.length),
    );
    expect(await page.getByTestId(`cluster-${elsewhere.id}`).count()).toBe(0);
    await page.evaluate(() => window.localStorage.setItem('overcommit:name', 'Ana'));
    await page.goto(viewerLink);
    await page
      .getByTestId('connection')
      .and(page.locator('[data-state=live]'))
      .waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('role').textContent()).toBe('viewer');
    expect(problems).toEqual([]);
  });

  it('lists clusters with when each was created, how it is shared, sorted and filtered; deletes only where this browser holds the operator link', async () => {
    // One created elsewhere (this browser has no link to it), then one created here, both public.
    const elsewhere = await stack.createCluster({ scenarioName: 'demo' });
    await page.goto(stack.webUrl);
    const form = page.getByTestId('new-cluster');
    await form.getByText('a bundled scenario').click();
    await form.getByText('public: listed, anyone may watch').click();
    await form.getByRole('button', { name: 'Create and start' }).click();
    await page.getByTestId('created').waitFor();
    const mine = /clusters\/(\w+)/.exec(await page.getByTestId('operator-link').inputValue())![1]!;
    const list = page.getByTestId('clusters');
    const row = list.getByTestId(`cluster-${mine}`);
    await row.waitFor({ timeout: 10_000 });
    // Two clusters of the same name told apart: their ids, creation times, visibility.
    expect(await row.textContent()).toContain(mine);
    expect(await row.textContent()).toMatch(/today \d\d:\d\d/);
    expect(await row.textContent()).toContain('public');
    // Newest first: the one created here heads the list.
    expect(await list.locator('tbody tr').first().getAttribute('data-testid')).toBe(
      `cluster-${mine}`,
    );
    // Filtered by id.
    await list.getByRole('textbox', { name: 'filter by name or id' }).fill(elsewhere.id);
    await list.getByTestId(`cluster-${mine}`).waitFor({ state: 'detached' });
    await list.getByTestId(`cluster-${elsewhere.id}`).waitFor();
    // No link to that one here: no delete.
    expect(
      await list
        .getByTestId(`cluster-${elsewhere.id}`)
        .getByRole('button', { name: /^Delete/ })
        .count(),
    ).toBe(0);
    await list.getByRole('textbox', { name: 'filter by name or id' }).fill('');
    // The one created here can be deleted from the list, after a confirmation.
    await row.getByRole('button', { name: /^Delete/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete the cluster' }).click();
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    expect((await stack.api(`/api/clusters/${mine}`)).status).toBe(404);
    expect((await stack.api(`/api/clusters/${elsewhere.id}`)).status).toBe(200);
    expect(problems).toEqual([]);
  });
});

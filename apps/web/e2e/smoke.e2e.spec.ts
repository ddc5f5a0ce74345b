import type { Browser, BrowserContext } from 'playwright-core';
import { browser, type Stack, startStack, watchPage } from './harness';

// The home page in Debian's Chromium against the built API (with its worker),
// the built dashboard and a real Redis. Selectors used: [data-testid="health"]
// and, inside it, the API's badge text "up (version ...)".
describe('the home page in a browser (real API, worker, web app and Redis)', () => {
  let stack: Stack | undefined;
  let chromium: Browser | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    stack = await startStack();
    chromium = await browser();
  }, 120_000);

  beforeEach(async () => {
    context = await chromium!.newContext();
  });

  afterEach(async () => {
    await context?.close();
  });

  afterAll(async () => {
    await chromium?.close();
    await stack?.stop();
  });

  it('shows the API as up', async () => {
    const page = await context!.newPage();
    await page.goto(stack!.webUrl);
    const health = page.getByTestId('health');
    await health.getByText(/up \(version /).waitFor({ timeout: 20_000 });
    expect(await health.textContent()).toMatch(/API.*up \(version /s);
  });

  it('logs no console error, throws nothing and has no failed request', async () => {
    const page = await context!.newPage();
    const problems = watchPage(page);
    await page.goto(stack!.webUrl, { waitUntil: 'load' });
    await page
      .getByTestId('health')
      .getByText(/up \(version /)
      .waitFor({ timeout: 20_000 });
    expect(problems).toEqual([]);
  });
});

import { join } from 'node:path';
import { browser, startStack } from './harness';

it('explorer screenshot of the demo scenario', async () => {
  const stack = await startStack();
  const chromium = await browser();
  try {
    const created = await stack.api<{ id: string; token: string }>('/api/sweeps', {
      method: 'POST',
      body: { scenarioName: 'demo', request: { cpu: '1:4:0.5', ram: '1:2:0.25', minutes: 10 } },
    });
    if (created.status !== 202) throw new Error(JSON.stringify(created.body));
    const page = await (await chromium.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
    await page.goto(`${stack.webUrl}/sweeps/${created.body.id}?token=${created.body.token}`);
    await page.getByText('The answer').waitFor({ timeout: 280_000 });
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(__dirname, '../../../docs/screenshots/explorer-demo.png'), fullPage: true });
  } finally {
    await chromium.close();
    await stack.stop();
  }
}, 300_000);

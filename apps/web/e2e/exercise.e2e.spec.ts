import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browser, type Stack, startStack, watchPage } from './harness';

// An instructor and two teams through an exercise, in Chromium against the
// real API, worker, web and Redis: created from the home page, started from
// the instructor's page, an event injected into both teams, an alarm
// acknowledged by one team, ended, and read in the after-action report.
// Screenshots of the instructor's page, a team's page and the report go to docs/screenshots.
const screenshots = join(__dirname, '../../../docs/screenshots');

async function open(context: BrowserContext, url: string, name: string) {
  await context.addInitScript((n) => window.localStorage.setItem('overcommit:name', n), name);
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(url);
  return { page, problems };
}

describe('an exercise for two teams, in Chromium', () => {
  let stack: Stack;
  let chromium: Browser;
  let instructor: { page: Page; problems: string[] };
  let red: { page: Page; problems: string[] };
  let blue: { page: Page; problems: string[] };
  let links: { instructor: string; red: string; blue: string };

  beforeAll(async () => {
    stack = await startStack();
    chromium = await browser();
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await stack?.stop();
  });

  it('creates the exercise from the home page: an instructor link and each team’s links', async () => {
    const context = await chromium.newContext({ viewport: { width: 1440, height: 1000 } });
    instructor = await open(context, stack.webUrl, 'Prof');
    const form = instructor.page.getByTestId('new-exercise');
    await form.getByTestId('exercise-scenario').click();
    await instructor.page.getByRole('option', { name: /host fail/i }).click();
    await form.getByTestId('exercise-team-names').fill('Red, Blue');
    await form.getByTestId('create-exercise').click();
    await instructor.page.getByTestId('exercise-created').waitFor();
    links = {
      instructor: await instructor.page.getByTestId('instructor-url').inputValue(),
      red: await instructor.page.getByTestId('team-operator-Red').inputValue(),
      blue: await instructor.page.getByTestId('team-operator-Blue').inputValue(),
    };
    expect(links.instructor).toMatch(new RegExp(`^${stack.webUrl}/exercises/\\w+\\?token=`));
    expect(links.red).toMatch(new RegExp(`^${stack.webUrl}/clusters/\\w+\\?token=`));
    expect(links.blue).not.toBe(links.red);
  });

  it('the teams join with their names; the instructor sees who is in which team and starts both', async () => {
    red = await open(await chromium.newContext(), links.red, 'Ana');
    blue = await open(await chromium.newContext(), links.blue, 'Bo');
    for (const team of [red, blue])
      await team.page
        .getByTestId('connection')
        .and(team.page.locator('[data-state=live]'))
        .waitFor({ timeout: 20_000 });
    // Before the instructor starts, each team's page says so (not "waiting for the first frame" in
    // every panel, nor a green "live"), and shows no time control the team may not use.
    for (const team of [red, blue]) {
      await team.page
        .getByTestId('exercise-waiting')
        .getByText('waiting for the instructor to start the exercise')
        .waitFor({ timeout: 10_000 });
      expect(await team.page.getByTestId('connection').textContent()).toContain('not started');
      expect(
        await team.page
          .getByRole('button', { name: /Resume the cluster|Pause the cluster/ })
          .count(),
      ).toBe(0);
      expect(await team.page.getByRole('combobox', { name: 'Speed' }).count()).toBe(0);
    }
    await instructor.page.goto(links.instructor);
    const board = instructor.page.getByTestId('scoreboard');
    await board.getByTestId('team-Red').getByText('Ana').waitFor({ timeout: 10_000 });
    await board.getByTestId('team-Blue').getByText('Bo').waitFor();
    await instructor.page.getByTestId('exercise-start').click();
    await instructor.page.locator('[data-testid=exercise-state][data-state=running]').waitFor();
    // Ten times faster, for the test's sake: one simulated second every 100 ms.
    await instructor.page.getByRole('combobox', { name: 'Speed' }).click();
    await instructor.page.getByRole('option', { name: '×10' }).click();
    // Both teams see their score live, and can read their briefing.
    for (const team of [red, blue]) {
      const points = team.page.getByTestId('exercise-points');
      await points.waitFor({ timeout: 20_000 });
      expect(await team.page.getByTestId('exercise-waiting').count()).toBe(0);
      expect(await points.textContent()).toMatch(/\/ 100/);
      await team.page.getByTestId('exercise-briefing').getByText('Briefing').click();
      // The briefing's Markdown is rendered: bold as bold, not asterisks.
      await team.page
        .getByTestId('exercise-briefing')
        .locator('strong', { hasText: /^What is scored$/ })
        .waitFor();
      expect(await team.page.getByTestId('exercise-briefing').textContent()).not.toContain('**');
    }
  });

  it('injects a host failure into both teams; one team acknowledges it with a note', async () => {
    await instructor.page.getByTestId('inject-target').fill('esx-03');
    await instructor.page.getByTestId('inject').click();
    const alarm = (page: Page) =>
      page
        .locator('[data-testid^=alarm-][data-severity=critical]')
        .filter({ hasText: 'host-down' })
        .filter({ hasText: 'esx-03' });
    for (const team of [red, blue]) await alarm(team.page).waitFor({ timeout: 20_000 });
    // The scoreboard counts the teams' critical alarms as they fire.
    for (const team of ['Red', 'Blue'])
      await instructor.page
        .getByTestId(`team-${team}`)
        .getByText(/\/[1-9]\d* acknowledged/)
        .waitFor({ timeout: 10_000 });
    mkdirSync(screenshots, { recursive: true });
    await instructor.page.screenshot({ path: join(screenshots, 'exercise-instructor.png') });
    // The team's page without the critical-alarm toast over its header.
    const toasts = await red.page.addStyleTag({
      content: '.mantine-Notifications-root { display: none }',
    });
    await red.page.screenshot({ path: join(screenshots, 'exercise-team.png') });
    await toasts.evaluate((el) => (el as Element).remove());
    await alarm(red.page)
      .getByRole('button', { name: /^Acknowledge/ })
      .click();
    await red.page.getByLabel('Note (what you are doing about it)').fill('esx-03 down: HA first');
    await red.page.getByRole('button', { name: 'Acknowledge', exact: true }).click();
    await alarm(red.page)
      .getByTestId('acked-by')
      .getByText('acked by Ana: “esx-03 down: HA first”')
      .waitFor({ timeout: 10_000 });
  });

  it('ends the exercise: final scores, and the report with the alarm, who acknowledged it and the commands', async () => {
    await instructor.page.getByTestId('exercise-end').click();
    await instructor.page.locator('[data-testid=exercise-state][data-state=ended]').waitFor({
      timeout: 10_000,
    });
    await instructor.page.getByTestId('report-link').click();
    const report = instructor.page.getByTestId('report-page');
    await report.waitFor();
    const redSection = instructor.page.getByTestId('report-team-Red');
    await redSection.waitFor({ timeout: 10_000 });
    await instructor.page.getByTestId('report-team-Blue').waitFor();
    const redAlarms = instructor.page.getByTestId('report-alarms-Red');
    await redAlarms.getByText('esx-03 down: HA first').waitFor();
    expect(await redAlarms.textContent()).toContain('Ana');
    const redCommands = await instructor.page.getByTestId('report-commands-Red').textContent();
    expect(redCommands).toContain('instructor');
    expect(redCommands).toContain('fail-host');
    expect(redCommands).toContain('ack-alarm');
    // The timeline chart is drawn for each team.
    for (const team of ['Red', 'Blue'])
      await instructor.page
        .getByTestId(`report-chart-${team}`)
        .locator('svg path')
        .first()
        .waitFor();
    // Downloads: the JSON as the API gives it, the Markdown with the charts as images.
    const [json] = await Promise.all([
      instructor.page.waitForEvent('download'),
      instructor.page.getByTestId('download-json').click(),
    ]);
    expect(json.suggestedFilename()).toMatch(/^exercise-\w+\.json$/);
    const [markdown] = await Promise.all([
      instructor.page.waitForEvent('download'),
      instructor.page.getByTestId('download-markdown').click(),
    ]);
    const path = await markdown.path();
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('# After-action report');
    expect(text).toContain('## Red');
    expect(text).toMatch(
      /!\[Red: points and CPU ready over the exercise\]\(data:image\/svg\+xml;base64,/,
    );
    await instructor.page.screenshot({
      path: join(screenshots, 'exercise-report.png'),
      fullPage: false,
    });
    for (const { problems } of [instructor, red, blue]) expect(problems).toEqual([]);
  });
});

import type { CreateClusterResponse, CreateExerciseResponse } from '@overcommit/contracts';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browser, type Stack, startStack, watchPage } from './harness';

// The dashboard in English, Simplified and Traditional Chinese, in Chromium against the real API,
// worker, web app and Redis: the browser's language chooses the page's, the switch changes it in
// place and is remembered, no English sentence is left on a Chinese page, an API error is said in
// the reader's language from its code, and an exercise's briefing comes in the reader's language.
const screenshots = join(__dirname, '../../../docs/screenshots');
const messagesDir = join(__dirname, '../messages');
type Locale = 'en' | 'zh-Hans' | 'zh-Hant';
const TICK_MS = 250;

type Tree = { [key: string]: string | Tree };
const messages = (locale: Locale, ns: string): Tree =>
  JSON.parse(readFileSync(join(messagesDir, locale, `${ns}.json`), 'utf8')) as Tree;
/** One message by its dotted path, e.g. say('zh-Hans', 'cluster', 'suffer.title'). */
function say(locale: Locale, ns: string, path: string): string {
  let node: string | Tree = messages(locale, ns);
  for (const part of path.split('.')) {
    if (typeof node === 'string' || !(part in node))
      throw new Error(`no ${ns}.${path} in ${locale}`);
    node = node[part]!;
  }
  if (typeof node !== 'string') throw new Error(`${ns}.${path} is not a message`);
  return node;
}
function flatten(tree: Tree, prefix = ''): Array<[string, string]> {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'string'
      ? [[`${prefix}${k}`, v] as [string, string]]
      : flatten(v, `${prefix}${k}.`),
  );
}
/**
 * English sentences of a namespace that a Chinese page must not show: messages of several words,
 * without arguments or markup, that the Chinese file says differently.
 */
function englishSentences(ns: string, locale: Locale): string[] {
  const other = new Map(flatten(messages(locale, ns)));
  return flatten(messages('en', ns))
    .filter(([, text]) => !/[{}<]/.test(text) && /\p{L}+ \p{L}+ \p{L}+/u.test(text))
    .filter(([key, text]) => other.get(key) !== text)
    .map(([, text]) => text);
}

// A small host with six busy guests pinned to it (who suffers, an alarm), and an idle big host.
const scenario = {
  version: 1,
  name: 'Languages',
  seed: 11,
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
    { name: 'calm', count: 2, vcpus: 2, memoryGiB: 4, host: 'esx-02' },
  ],
};

describe('the dashboard in English, 简体中文 and 繁體中文, in Chromium', () => {
  let stack: Stack;
  let chromium: Browser;
  let cluster: CreateClusterResponse;
  const contexts: BrowserContext[] = [];

  /** A page in a browser whose own language is `browserLocale`, with its problems collected. */
  async function open(
    browserLocale: string,
    path: string,
  ): Promise<{ page: Page; problems: string[] }> {
    const context = await chromium.newContext({
      locale: browserLocale,
      viewport: { width: 1440, height: 1000 },
    });
    contexts.push(context);
    await context.addInitScript(() => window.localStorage.setItem('overcommit:name', '林'));
    const page = await context.newPage();
    const problems = watchPage(page);
    await page.goto(`${stack.webUrl}${path}`);
    return { page, problems };
  }

  const clusterPath = () => `/clusters/${cluster.id}?token=${cluster.operatorToken}`;

  /** The cluster page, live, with its who-suffers panel filled. */
  async function live(page: Page): Promise<void> {
    await page
      .getByTestId('connection')
      .and(page.locator('[data-state=live]'))
      .waitFor({ timeout: 20_000 });
    await page
      .getByTestId('who-suffers')
      .locator('[data-testid^=suffer-vm-]')
      .first()
      .waitFor({ timeout: 20_000 });
  }

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    stack = await startStack();
    chromium = await browser();
    cluster = await stack.createCluster({ scenario });
  }, 180_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await chromium?.close();
    await stack?.stop();
  });

  it.each([
    ['en-US', 'en'],
    ['zh-CN', 'zh-Hans'],
    ['zh-TW', 'zh-Hant'],
  ] as const)(
    'a browser in %s gets the cluster page in %s, every word of it',
    async (browserLocale, locale) => {
      const { page, problems } = await open(browserLocale, clusterPath());
      await live(page);
      expect(await page.locator('html').getAttribute('lang')).toBe(locale);
      expect(await page.getByTestId('language-switch').inputValue()).toBe(locale);
      expect(await page.locator('#suffer-title').innerText()).toContain(
        say(locale, 'help', 'suffer.title'),
      );
      expect(await page.getByTestId('connection').innerText()).toContain(
        say(locale, 'cluster', 'connection.live'),
      );
      if (locale !== 'en') {
        const text = await page.locator('body').innerText();
        const left = ['cluster', 'help', 'common', 'exercise', 'host']
          .flatMap((ns) => englishSentences(ns, locale))
          .filter((sentence) => text.includes(sentence));
        expect(left).toEqual([]);
        if (locale === 'zh-Hans') {
          // For the README: the page with a critical alarm explained, in Chinese.
          const alarm = page
            .locator('[data-testid^=alarm-][data-severity=critical]')
            .filter({ hasText: 'busy-01' })
            .first();
          await alarm.waitFor({ timeout: 40_000 });
          await alarm.locator('button.why-button').click();
          await alarm.getByTestId('alarm-explanation').waitFor();
          expect(await alarm.getByTestId('alarm-explanation').innerText()).toMatch(
            /\p{Script=Han}{20}/u,
          );
          await page.addStyleTag({ content: '.mantine-Notifications-root { display: none }' });
          await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
        }
        await page.screenshot({ path: join(screenshots, `cluster-${locale}.png`) });
      }
      // A missing message or a broken argument is a console error (src/i18n/provider.tsx).
      expect(problems).toEqual([]);
    },
    60_000,
  );

  it('switches language in place, keeps the live page, and remembers the choice', async () => {
    const { page, problems } = await open('en-US', clusterPath());
    await live(page);
    // A mark the page would lose on a reload.
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    const tickBefore = Number(await page.getByTestId('cluster-header').getAttribute('data-tick'));
    await page.getByTestId('language-switch').selectOption('zh-Hant');
    await page
      .locator('#suffer-title')
      .getByText(say('zh-Hant', 'help', 'suffer.title'))
      .waitFor({ timeout: 10_000 });
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-Hant');
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(
      true,
    );
    // Still live: the ticks go on in the new language.
    await page.waitForFunction(
      (before) =>
        Number(document.querySelector('[data-testid=cluster-header]')?.getAttribute('data-tick')) >
        before + 2,
      tickBefore,
      { timeout: 10_000 },
    );
    // Remembered: a reload, and another page of the same browser, open in Traditional Chinese
    // although the browser's own language is English.
    await page.reload();
    await live(page);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-Hant');
    const home = await page.context().newPage();
    await home.goto(stack.webUrl);
    expect(await home.locator('html').getAttribute('lang')).toBe('zh-Hant');
    expect(await home.title()).toBe(say('zh-Hant', 'common', 'appName'));
    // And back to English, once the page is live (the list of clusters is fetched by the page).
    await home.getByText(cluster.id).first().waitFor({ timeout: 20_000 });
    await home.getByTestId('language-switch').selectOption('en');
    await home.waitForFunction(() => document.documentElement.lang === 'en', undefined, {
      timeout: 10_000,
    });
    expect(problems).toEqual([]);
  }, 90_000);

  it('leaves no English sentence on the home page and the glossary in Chinese', async () => {
    for (const [path, ready] of [
      ['/', cluster.id],
      ['/glossary', say('zh-Hans', 'help', 'glossary.title')],
    ] as const) {
      const { page, problems } = await open('zh-CN', path);
      await page.getByText(ready).first().waitFor({ timeout: 20_000 });
      const text = await page.locator('body').innerText();
      const sentences = ['home', 'help', 'common', 'errors'].flatMap((ns) =>
        englishSentences(ns, 'zh-Hans'),
      );
      expect(sentences.length).toBeGreaterThan(100);
      expect(sentences.filter((sentence) => text.includes(sentence))).toEqual([]);
      expect(problems).toEqual([]);
    }
  }, 60_000);

  it('gives an exercise’s briefing in the reader’s language, on the instructor’s and the team’s pages', async () => {
    const created = await stack.api<CreateExerciseResponse>('/api/exercises', {
      method: 'POST',
      body: { scenarioName: 'exercises/cpu-contention', teams: 1 },
      headers: { origin: stack.webUrl },
    });
    expect(created.status).toBe(201);
    const exercise = created.body;
    const board = await stack.api<{ briefing: Record<Locale, string> }>(
      `/api/exercises/${exercise.id}`,
      { headers: { authorization: `Bearer ${exercise.instructorToken}` } },
    );
    // The bundled exercises are briefed in all three languages.
    expect(Object.keys(board.body.briefing).sort()).toEqual(['en', 'zh-Hans', 'zh-Hant']);
    /** The briefing's first words, as Markdown renders them (no markup in them). */
    const opening = (locale: Locale) =>
      board.body.briefing[locale]
        .replace(/^#+ .*\n+/, '')
        .split(/[*`\n（(，,]/)[0]!
        .trim();
    for (const [browserLocale, locale] of [
      ['zh-TW', 'zh-Hant'],
      ['zh-CN', 'zh-Hans'],
      ['en-GB', 'en'],
    ] as const) {
      const instructor = await open(
        browserLocale,
        new URL(exercise.instructorLink).pathname + new URL(exercise.instructorLink).search,
      );
      await instructor.page.getByText(opening(locale)).first().waitFor({ timeout: 20_000 });
      const team = await open(
        browserLocale,
        new URL(exercise.teams[0]!.operatorLink).pathname +
          new URL(exercise.teams[0]!.operatorLink).search,
      );
      await team.page
        .getByTestId('exercise-briefing')
        .getByText(opening(locale))
        .first()
        .waitFor({ timeout: 20_000 });
      expect([...instructor.problems, ...team.problems]).toEqual([]);
    }
  }, 120_000);

  it('says an API error in the reader’s language, from its code', async () => {
    const { page } = await open('zh-CN', '/clusters/no-such-cluster');
    const expected = say('zh-Hans', 'errors', 'cluster-not-found').replace(
      '{id}',
      'no-such-cluster',
    );
    await page.getByRole('alert').getByText(expected).waitFor({ timeout: 20_000 });
  }, 60_000);

  it('says an engine refusal in the activity feed in the reader’s language, from its code', async () => {
    const { page, problems } = await open('zh-CN', clusterPath());
    await live(page);
    // A VM no host can take: refused with one admission reason per host, and nothing changes.
    const sent = await stack.api(`/api/clusters/${cluster.id}/commands`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cluster.operatorToken}` },
      body: { do: 'create-vm', vm: { name: 'huge', vcpus: 2, memoryGiB: 500 } },
    });
    expect(sent.status).toBeLessThan(300);
    const line = page
      .getByTestId('activity')
      .locator('li[data-type=command-refused]')
      .filter({ hasText: 'huge' })
      .first();
    await line.waitFor({ timeout: 20_000 });
    const text = await line.innerText();
    expect(text).toContain('没有主机能接纳 huge（2 个 vCPU，500 GiB）：esx-01：内存 ');
    expect(text).toMatch(/GiB，分配比 [\d.]+；esx-02：内存 \d/);
    expect(text).not.toMatch(/no host can take|memory|at ratio/);
    expect(problems).toEqual([]);
  }, 60_000);
});

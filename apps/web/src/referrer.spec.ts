import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

// Links carry cluster and instructor tokens (?token=): the page's URL must never reach another
// site, neither in a Referer nor through a link or resource that leads off the dashboard.
const webRoot = join(__dirname, '..');

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourcesUnder(path);
    return /\.(tsx?|mjs|css)$/.test(name) && !/\.spec\.tsx?$/.test(name) ? [path] : [];
  });
}
const sources = [...sourcesUnder(join(webRoot, 'src')), ...sourcesUnder(join(webRoot, 'app'))];

describe('tokens in page URLs stay on the dashboard', () => {
  it('every page is served with Referrer-Policy: no-referrer (next.config.mjs, as Next loads it)', () => {
    // The config is an ES module that checks the environment: load it in its own Node process.
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('./next.config.mjs'); console.log(JSON.stringify(await m.default.headers()))",
      ],
      { cwd: webRoot, encoding: 'utf8' },
    );
    const rules = JSON.parse(out) as Array<{
      source: string;
      headers: Array<{ key: string; value: string }>;
    }>;
    const everyPage = rules.find((r) => r.source === '/:path*');
    expect(everyPage?.headers).toContainEqual({ key: 'Referrer-Policy', value: 'no-referrer' });
  });

  it('every link that opens a new tab carries rel="noreferrer noopener"', () => {
    const found: string[] = [];
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      const tags = text.match(/<(?:a|Link)\b[^>]*target=["{'][^>]*>/gs) ?? [];
      if (tags.length > 0) found.push(relative(webRoot, file));
      const withoutRel = tags.filter(
        (tag) => !/rel="(?=[^"]*\bnoreferrer\b)(?=[^"]*\bnoopener\b)[^"]*"/.test(tag),
      );
      expect({ file: relative(webRoot, file), withoutRel }).toEqual({
        file: relative(webRoot, file),
        withoutRel: [],
      });
    }
    // The one place a link to another site can appear: an exercise briefing's Markdown.
    expect(found).toContain('src/ui/markdown.tsx');
  });

  it('no page loads anything from another site (scripts, styles, fonts, images, links)', () => {
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      // Absolute URLs in source: only the API's local default and the SVG namespace (not fetched).
      const urls = (text.match(/https?:\/\/[^\s'"`)]+/g) ?? []).filter(
        (u) => !/^http:\/\/localhost:3001\b/.test(u) && u !== 'http://www.w3.org/2000/svg',
      );
      expect({ file: relative(webRoot, file), urls }).toEqual({
        file: relative(webRoot, file),
        urls: [],
      });
      expect(text).not.toMatch(/from ['"]next\/font\/google['"]/);
    }
  });
});

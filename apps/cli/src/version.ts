import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The runner's version, from its package.json (one level above src/ and dist/ alike). */
export const cliVersion: string = (
  JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The API's version, from its package.json (two levels above src/common/ and dist/common/ alike). */
export const apiVersion: string = (
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

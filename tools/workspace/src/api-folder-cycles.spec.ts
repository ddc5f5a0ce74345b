import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  describeCycles,
  folderCycles,
  folderGraph,
  relativeImports,
  ROOT_NODE,
} from './folder-cycles';

/**
 * The API's folders form a graph without cycles: a feature folder may import storage/, common/ or
 * another feature that does not import it back, and nothing imports the root files (app.module.ts,
 * app.ts, main.ts), which put the features together. Tests (*.spec.ts) may import anything.
 */
const apiSrc = join(__dirname, '../../../apps/api/src');

function cyclesIn(dir: string): string {
  const graph = folderGraph(dir);
  return describeCycles(graph, folderCycles(graph));
}

describe('the folders of apps/api/src', () => {
  it('import each other without a cycle', () => {
    const report = cyclesIn(apiSrc);
    if (report !== '')
      throw new Error(
        `apps/api/src: folders import each other in a cycle; move what both need to storage/ or common/, or turn one import around:\n${report}`,
      );
  });
});

describe('the folder cycle check', () => {
  let tree: string;
  const write = (files: Record<string, string>) => {
    for (const [path, code] of Object.entries(files)) {
      mkdirSync(dirname(join(tree, path)), { recursive: true });
      writeFileSync(join(tree, path), code);
    }
  };
  beforeEach(() => {
    tree = mkdtempSync(join(tmpdir(), 'oc-folders-'));
  });
  afterEach(() => rmSync(tree, { recursive: true, force: true }));

  it('reads every kind of relative import, type-only ones too, and skips packages', () => {
    expect(
      relativeImports(
        "import type { A } from '../a/a';\nexport { b } from './b';\nimport '@nestjs/common';\nconst c = require('../c');\nvoid import('../d/d');\n",
      ),
    ).toEqual(['../a/a', './b', '../c', '../d/d']);
  });

  it('names a cycle between folders and the imports that make it', () => {
    write({
      'clusters/clusters.service.ts': "import { tickMs } from '../ticks/ticks.scheduler';\n",
      'ticks/ticks.scheduler.ts': "import type { Meta } from '../storage/meta';\n",
      'ticks/tick-runner.ts': "import { Repo } from '../clusters/repo';\n",
      'storage/meta.ts': 'export interface Meta { id: string }\n',
    });
    expect(cyclesIn(tree)).toBe(
      [
        '  clusters -> ticks -> clusters',
        "    clusters -> ticks: clusters/clusters.service.ts imports '../ticks/ticks.scheduler'",
        "    ticks -> clusters: ticks/tick-runner.ts imports '../clusters/repo'",
      ].join('\n'),
    );
  });

  it('counts the root files as one node, and leaves spec files and imports out of the tree alone', () => {
    write({
      'app.module.ts': "import { Clusters } from './clusters/clusters.module';\n",
      'version.ts': "import pkg from '../package.json';\n",
      'clusters/clusters.module.ts': "import { v } from '../version';\n",
      'clusters/clusters.int.spec.ts': "import { createApp } from '../app';\n",
    });
    const graph = folderGraph(tree);
    expect(folderCycles(graph)).toEqual([['(root)', 'clusters', '(root)']]);
    expect([...(graph.get(ROOT_NODE)?.keys() ?? [])]).toEqual(['clusters']);
  });

  it('finds nothing in a tree whose folders import one way', () => {
    write({
      'app.module.ts': "import { Live } from './live/live.module';\n",
      'live/live.module.ts': "import { Clusters } from '../clusters/clusters.module';\n",
      'clusters/clusters.module.ts': "import { Storage } from '../storage/storage.module';\n",
      'storage/storage.module.ts': 'export class Storage {}\n',
    });
    expect(cyclesIn(tree)).toBe('');
  });
});

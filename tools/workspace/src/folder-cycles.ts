// The folders of a source tree as a graph: folder A -> folder B when a file in A imports a file in
// B by a relative path (type-only imports, re-exports, require() and import() included), and the
// cycles in it. api-folder-cycles.spec.ts holds apps/api/src to none.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** The files directly in the tree's root, as a node of the graph. */
export const ROOT_NODE = '(root)';

/** One import that makes an edge: the importing file (relative to the tree) and what it wrote. */
export interface ImportSite {
  file: string;
  specifier: string;
}

/** Folder -> folder it imports from -> the imports that say so. */
export type FolderGraph = Map<string, Map<string, ImportSite[]>>;

/** Every .ts file below `dir` (relative paths, `/`-separated), spec files left out. */
function sourceFiles(dir: string, under = ''): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(dir, under), { withFileTypes: true })) {
    const path = under ? `${under}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...sourceFiles(dir, path));
    else if (/\.ts$/.test(entry.name) && !/\.spec\.ts$/.test(entry.name)) files.push(path);
  }
  return files;
}

/** The top-level folder a path (relative to the tree) belongs to. */
function folderOf(path: string): string {
  const slash = path.indexOf('/');
  return slash < 0 ? ROOT_NODE : path.slice(0, slash);
}

/** The relative module specifiers a file imports, as TypeScript's pre-processor reads them. */
export function relativeImports(code: string): string[] {
  return ts
    .preProcessFile(code, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((name) => name.startsWith('./') || name.startsWith('../'));
}

/** The folder graph of the tree at `dir` (tests, `*.spec.ts`, are not part of it). */
export function folderGraph(dir: string): FolderGraph {
  const graph: FolderGraph = new Map();
  for (const file of sourceFiles(dir)) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Map<string, ImportSite[]>();
    graph.set(from, edges);
    for (const specifier of relativeImports(readFileSync(join(dir, file), 'utf8'))) {
      const target = relative(dir, resolve(dir, dirname(file), specifier))
        .split(sep)
        .join('/');
      // Outside the tree (a package.json beside it): not a folder of the graph.
      if (target.startsWith('../')) continue;
      const to = folderOf(target);
      if (to === from) continue;
      const sites = edges.get(to) ?? [];
      edges.set(to, sites);
      sites.push({ file, specifier });
    }
  }
  return graph;
}

/**
 * The cycles among folders: for every group of folders that import each other (a strongly
 * connected component), the shortest cycle through each of its folders, each cycle once, as the
 * folders in order with the first repeated at the end.
 */
export function folderCycles(graph: FolderGraph): string[][] {
  const next = (node: string) => [...(graph.get(node)?.keys() ?? [])].sort();
  const cycles = new Map<string, string[]>();
  for (const group of stronglyConnected(graph, next)) {
    const members = new Set(group);
    for (const start of group) {
      const cycle = shortestCycle(start, (node) => next(node).filter((n) => members.has(n)));
      // The same cycle read from another of its folders: kept once, from its first folder by name.
      const ring = cycle.slice(0, -1);
      const first = ring.indexOf([...ring].sort()[0]!);
      const key = [...ring.slice(first), ...ring.slice(0, first)].join(' -> ');
      if (!cycles.has(key))
        cycles.set(key, [...ring.slice(first), ...ring.slice(0, first), ring[first]!]);
    }
  }
  return [...cycles.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, cycle]) => cycle);
}

/** Tarjan's algorithm: the groups of more than one node that reach each other. */
function stronglyConnected(graph: FolderGraph, next: (node: string) => string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  // The graphs are a few dozen folders, so recursion is fine.
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const to of next(node)) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1) groups.push(group.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return groups;
}

/** Breadth first from `start` back to it (there is a way: it is in a strongly connected group). */
function shortestCycle(start: string, next: (node: string) => string[]): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const to of next(node)) {
      if (to === start) {
        const path = [start];
        for (let at = node; at !== start; at = cameFrom.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start, start];
}

/** The cycles as lines a person can act on: each cycle, then the imports that make each of its edges. */
export function describeCycles(graph: FolderGraph, cycles: string[][]): string {
  return cycles
    .map((cycle) => {
      const edges = cycle.slice(1).map((to, i) => {
        const from = cycle[i]!;
        const sites = graph.get(from)?.get(to) ?? [];
        const shown = sites
          .slice(0, 3)
          .map((s) => `${s.file} imports '${s.specifier}'`)
          .join(', ');
        return `    ${from} -> ${to}: ${shown}${sites.length > 3 ? ` (+${sites.length - 3} more)` : ''}`;
      });
      return [`  ${cycle.join(' -> ')}`, ...edges].join('\n');
    })
    .join('\n');
}

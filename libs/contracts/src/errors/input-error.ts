// What an input error is (a path and a message), how a path is written (`hosts[2].cpu.sockets`,
// `(root)` for the input as a whole), and how a list of errors reads as text.

/** One problem in a scenario file, a command or a request: where it is and what was expected. */
export interface InputError {
  /** Like `hosts[2].cpu.sockets`; `(root)` for the input as a whole. */
  path: string;
  message: string;
}

/** One step of a path: an object key or a list index. */
export type PathSegment = PropertyKey;

/** The path of the input as a whole. */
export const ROOT_PATH = '(root)';

const plainKey = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `['hosts', 2, 'cpu', 'sockets']` → `hosts[2].cpu.sockets`; `[]` → `(root)`. */
export function formatInputPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = typeof segment === 'symbol' ? (segment.description ?? 'symbol') : segment;
      if (plainKey.test(key)) out += out === '' ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out === '' ? ROOT_PATH : out;
}

/** Errors found in a part of a larger input, at their paths in the whole: `hosts[0]` of `scenario` is `scenario.hosts[0]`. */
export function nestInputErrors(
  errors: readonly InputError[],
  at: readonly PathSegment[],
): InputError[] {
  const head = formatInputPath(at);
  if (head === ROOT_PATH) return [...errors];
  const nested = (path: string): string =>
    path === ROOT_PATH ? head : path.startsWith('[') ? `${head}${path}` : `${head}.${path}`;
  return errors.map((e) => ({ ...e, path: nested(e.path) }));
}

/** `path: message` for each error, one a line (or joined by `separator`). */
export function formatInputErrors(errors: readonly InputError[], separator = '\n'): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join(separator);
}

// The naming rule for an entry with `count` (hosts and VMs alike): the names it stands for, as the
// scenario checks and the engine both expand them.

/** The names an entry with `count` stands for: `web` → web-01 .. web-NN (just `web` for 1). */
export function expandNames(base: string, count: number): string[] {
  if (!Number.isFinite(count) || count < 1) return [];
  const n = Math.floor(count);
  if (n === 1) return [base];
  const width = Math.max(2, String(n).length);
  return Array.from({ length: n }, (_, i) => `${base}-${String(i + 1).padStart(width, '0')}`);
}

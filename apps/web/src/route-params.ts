/**
 * A route segment as the user typed it: percent-escapes decoded, and a
 * malformed one (a lone `%`) kept as it is rather than failing the page.
 */
export function segment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The `?token=` of a page, when there is exactly one. */
export function tokenParam(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

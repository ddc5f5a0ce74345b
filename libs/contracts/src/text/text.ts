import { z } from 'zod';

// Text people give (names, notes, descriptions) is shown to other people: it may not carry
// control characters (NUL, ESC and the like, which can rewrite a terminal or a log line) nor
// invalid Unicode (a lone surrogate, which no font shows and JSON encoders mangle).

/** C0 and C1 control characters and DEL; with `lines`, tab, newline and carriage return are allowed. */
/* eslint-disable no-control-regex -- finding control characters is the point */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;
/* eslint-enable no-control-regex */

/** A surrogate without its pair (String.prototype.isWellFormed, for every runtime). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` is not plain text, or null when it is. */
export function textProblem(text: string, options: { lines?: boolean } = {}): string | null {
  if (LONE_SURROGATE.test(text)) return 'is not valid Unicode (a lone surrogate)';
  const control = (options.lines ? CONTROL_EXCEPT_LINES : CONTROL).exec(text);
  if (control)
    return `contains a control character (U+${control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} at position ${control.index})`;
  return null;
}

/**
 * Text of 1..`max` characters (or 0.. with `empty`) without control characters or invalid
 * Unicode; `lines` allows line breaks and tabs (notes, descriptions, briefings).
 */
export function plainText(
  what: string,
  max: number,
  options: { lines?: boolean; empty?: boolean } = {},
) {
  const base = z.string({ error: `expected ${what} (text)` });
  return (options.empty ? base : base.min(1, { error: `${what} cannot be empty` }))
    .max(max, { error: `${what} is at most ${max} characters` })
    .superRefine((value, ctx) => {
      const problem = textProblem(value, options);
      if (problem) ctx.addIssue({ code: 'custom', message: `${what} ${problem}` });
    });
}

/** A person's display name (presence, commands' `by`): 1-60 characters of plain text, trimmed. */
export const displayNameSchema = z
  .string({ error: 'expected a display name (text)' })
  .trim()
  .pipe(plainText('a display name', 60));

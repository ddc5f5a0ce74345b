import type { z } from 'zod';
import type { PathSegment } from './input-error';

// Following an issue's path through the value that was checked and the zod schema it was checked
// against: the value found there, and the keys the schema allows there (for "did you mean").

export type Schema = z.core.$ZodType;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function childValue(value: unknown, segment: PathSegment): unknown {
  if (Array.isArray(value) && typeof segment === 'number') return value[segment] as unknown;
  if (isRecord(value) && typeof segment === 'string') return value[segment];
  return undefined;
}

/** The part of `root` at `path` (undefined where there is none). */
export function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let value = root;
  for (const segment of path) value = childValue(value, segment);
  return value;
}

function unwrap(schema: Schema): Schema {
  let current = schema;
  for (let depth = 0; depth < 32; depth++) {
    const def = current._zod.def;
    switch (def.type) {
      case 'optional':
      case 'default':
      case 'prefault':
      case 'nullable':
      case 'nonoptional':
      case 'readonly':
      case 'catch':
        current = (def as z.core.$ZodOptionalDef).innerType;
        break;
      case 'pipe':
        current = (def as z.core.$ZodPipeDef).in;
        break;
      default:
        return current;
    }
  }
  return current;
}

function literalValues(schema: Schema): unknown[] {
  const inner = unwrap(schema);
  const def = inner._zod.def;
  if (def.type === 'literal')
    return [...(def as z.core.$ZodLiteralDef<z.core.util.Literal>).values];
  return [];
}

/** The shape of the object `schema` describes for `value` (choosing a union option by its discriminator). */
function objectShape(schema: Schema, value: unknown): z.core.$ZodShape | undefined {
  const inner = unwrap(schema);
  const def = inner._zod.def;
  if (def.type === 'object') return (def as z.core.$ZodObjectDef).shape;
  if (def.type === 'union') {
    const union = def as z.core.$ZodDiscriminatedUnionDef;
    if (typeof union.discriminator !== 'string') {
      // A text-or-object union (a briefing: Markdown, or its languages): the one object form.
      const shapes = union.options.map((o) => objectShape(o, value)).filter((s) => s !== undefined);
      return isRecord(value) && shapes.length === 1 ? shapes[0] : undefined;
    }
    const wanted = isRecord(value) ? value[union.discriminator] : undefined;
    for (const option of union.options) {
      const shape = objectShape(option, value);
      const tag = shape?.[union.discriminator];
      if (shape && tag && literalValues(tag).includes(wanted)) return shape;
    }
  }
  return undefined;
}

function childSchema(schema: Schema, value: unknown, segment: PathSegment): Schema | undefined {
  const inner = unwrap(schema);
  const def = inner._zod.def;
  if (def.type === 'array') {
    return typeof segment === 'number' ? (def as z.core.$ZodArrayDef).element : undefined;
  }
  if (typeof segment !== 'string') return undefined;
  return objectShape(inner, value)?.[segment];
}

/** The keys the schema allows for the object at `path` of `input`, in declaration order. */
export function knownKeysAt(root: Schema, input: unknown, path: readonly PathSegment[]): string[] {
  let schema: Schema | undefined = root;
  let value = input;
  for (const segment of path) {
    if (!schema) return [];
    schema = childSchema(schema, value, segment);
    value = childValue(value, segment);
  }
  const shape = schema ? objectShape(schema, value) : undefined;
  return shape ? Object.keys(shape) : [];
}

import { RagConfigError } from '../errors.js';

/**
 * The config.json boundary: one table per config kind maps each camelCase TypeScript field to
 * its snake_case key on disk, its default, and a check. `readFields` and `writeFields` are the
 * only places where snake_case is spoken.
 */
export type FieldCheck = (value: unknown) => string | undefined;

export interface FieldSpec<T> {
  key: string;
  default: T;
  check: FieldCheck;
}

function isTokenId(v: unknown): boolean {
  return Number.isInteger(v) && (v as number) >= 0;
}

export type FieldTable<C> = { [K in keyof C]: FieldSpec<C[K]> };

export const checks = {
  string: (v: unknown) => (typeof v === 'string' ? undefined : 'a string'),
  nullableString: (v: unknown) => (v === null || typeof v === 'string' ? undefined : 'a string or null'),
  boolean: (v: unknown) => (typeof v === 'boolean' ? undefined : 'a boolean'),
  positiveInt: (v: unknown) => (Number.isInteger(v) && (v as number) > 0 ? undefined : 'a positive integer'),
  nonNegativeInt: (v: unknown) => (Number.isInteger(v) && (v as number) >= 0 ? undefined : 'a non-negative integer'),
  nullablePositiveInt: (v: unknown) => (v === null || (Number.isInteger(v) && (v as number) > 0) ? undefined : 'a positive integer or null'),
  nullableTokenId: (v: unknown) => (v === null || isTokenId(v) ? undefined : 'a token id or null'),
  // transformers accepts an int or a list of ints (e.g. forced_eos_token_id=[2, 0]).
  nullableTokenIds: (v: unknown) => (v === null || isTokenId(v) || (Array.isArray(v) && v.length > 0 && v.every(isTokenId)) ? undefined : 'a token id, a non-empty list of token ids, or null'),
  number: (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? undefined : 'a finite number'),
  probability: (v: unknown) => (typeof v === 'number' && v >= 0 && v < 1 ? undefined : 'a number in [0, 1)'),
  oneOf:
    (...allowed: readonly unknown[]) =>
    (v: unknown) =>
      allowed.includes(v) ? undefined : `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`,
  nullableIdLists: (v: unknown) =>
    v === null || (Array.isArray(v) && v.every((row) => Array.isArray(row) && row.every((id) => Number.isInteger(id) && id >= 0)))
      ? undefined
      : 'null or a list of token-id lists',
} satisfies Record<string, FieldCheck | ((...a: never[]) => FieldCheck)>;

/** Reads every field of `table` from a snake_case JSON object, applying defaults, checking values. */
export function readFields<C>(what: string, json: Record<string, unknown>, table: FieldTable<C>): C {
  const out = {} as C;
  for (const name of Object.keys(table) as Array<keyof C>) {
    const spec = table[name];
    const raw = json[spec.key];
    const value = raw === undefined ? spec.default : raw;
    const problem = spec.check(value);
    if (problem !== undefined) {
      throw new RagConfigError(`${what}: "${spec.key}" must be ${problem}, got ${JSON.stringify(value)}`, { key: spec.key, value });
    }
    out[name] = value as C[keyof C];
  }
  return out;
}

/** Checks already-camelCase values (e.g. constructor overrides) against the same table. */
export function checkFields<C>(what: string, values: C, table: FieldTable<C>): void {
  for (const name of Object.keys(table) as Array<keyof C>) {
    const spec = table[name];
    const problem = spec.check(values[name]);
    if (problem !== undefined) {
      throw new RagConfigError(`${what}: ${String(name)} ("${spec.key}") must be ${problem}, got ${JSON.stringify(values[name])}`, {
        key: spec.key,
        value: values[name],
      });
    }
  }
}

export function writeFields<C>(values: C, table: FieldTable<C>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(table) as Array<keyof C>) out[table[name].key] = values[name];
  return out;
}

export function defaultsOf<C>(table: FieldTable<C>): C {
  const out = {} as C;
  for (const name of Object.keys(table) as Array<keyof C>) out[name] = table[name].default;
  return out;
}

/** The table's fields read off an object that holds them (a config class instance). */
export function pickFields<C>(source: object, table: FieldTable<C>): C {
  const out = {} as Record<string, unknown>;
  for (const name of Object.keys(table)) out[name] = (source as Record<string, unknown>)[name];
  return out as C;
}

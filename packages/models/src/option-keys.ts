import { UnknownOptionError, UnsupportedOptionError } from './errors.js';

/**
 * Every key of an options type, as a value. A table annotated with this type must list each key
 * of `T` and nothing else (the compiler says which is missing or extra), so the check below cannot
 * drift from the interface a TypeScript caller sees.
 */
export type OptionKeys<T> = { readonly [K in keyof Required<T>]: true };

/** The keys of an object that already holds every field (e.g. a defaults object), as a table. */
export function optionKeysOf<T extends object>(complete: T): OptionKeys<T> {
  return Object.fromEntries(Object.keys(complete).map((key) => [key, true])) as OptionKeys<T>;
}

/** `max_new_tokens` → `maxNewTokens`: what Python and transformers.js habits write, in our naming. */
function camelCase(key: string): string {
  return key.replace(/_+([a-z0-9])/gi, (_, c: string) => c.toUpperCase());
}

/** Levenshtein distance, ignoring case (`maxnewtokens` is one slip from `maxNewTokens`, not three). */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length]!;
}

/** The valid key nearest to `key` (after camelCasing it), when near enough to be what was meant. */
function closestKey(key: string, valid: readonly string[]): string | undefined {
  const camel = camelCase(key);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of valid) {
    const distance = editDistance(camel, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  // A third of the name may differ (`numBeam`, `maxTokens`); farther, a suggestion would be a guess.
  return bestDistance <= Math.max(2, Math.floor(camel.length / 3)) ? best : undefined;
}

/**
 * Throws for the first key of `given` that is not in `valid` (a key whose value is `undefined`
 * counts as not given): UnsupportedOptionError when `unsupported` explains it (keyed by the
 * camelCase name, so `do_sample` finds `doSample`), else UnknownOptionError naming the closest
 * valid key, or listing them all when none is close.
 */
export function checkOptionKeys(what: string, given: object, valid: Readonly<Record<string, true>>, unsupported: Readonly<Record<string, string>> = {}): void {
  const validKeys = Object.keys(valid);
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined || Object.hasOwn(valid, key)) continue;
    const camel = camelCase(key);
    const why = Object.hasOwn(unsupported, camel) ? unsupported[camel] : undefined;
    if (why !== undefined) throw new UnsupportedOptionError(`${what}: "${key}" is not supported: ${why}`, { option: key });
    const suggestion = closestKey(key, validKeys);
    const hint = suggestion === undefined ? `valid options: ${validKeys.join(', ')}` : `did you mean "${suggestion}"?${camel === suggestion ? ' (options are camelCase)' : ''}`;
    throw new UnknownOptionError(`${what}: unknown option "${key}"; ${hint}`, { option: key, ...(suggestion === undefined ? {} : { suggestion }) });
  }
}

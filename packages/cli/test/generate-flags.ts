// The fixtures' generate settings (tools/make_fixtures.py, test/generate-settings.ts) as rag ask flags.
import { GENERATE_SETTINGS } from '../../../test/generate-settings.js';

/** Settings the tiny fixtures store beyond test/generate-settings.ts (fixtures/README.md). */
const TINY_ONLY_SETTINGS: typeof GENERATE_SETTINGS = {
  token_beam2_min6_len10: { variant: 'token', args: { numBeams: 2, minLength: 6, maxLength: 10 } },
};

/** `numBeams: 3` → `--num-beams 3`; `doDeduplication: false` → `--no-dedup`. */
export function askFlags(setting: string): string[] {
  const s = GENERATE_SETTINGS[setting] ?? TINY_ONLY_SETTINGS[setting];
  if (!s) throw new Error(`no rag ask flags known for the fixture setting ${setting}`);
  const flags = ['--rag', s.variant];
  for (const [key, value] of Object.entries(s.args)) {
    if (key === 'doDeduplication') {
      if (value === false) flags.push('--no-dedup');
    } else {
      // Lists travel as JSON, as the CLI takes them.
      flags.push(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, Array.isArray(value) ? JSON.stringify(value) : String(value));
    }
  }
  return flags;
}

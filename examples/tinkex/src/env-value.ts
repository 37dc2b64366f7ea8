/** Where a note about an environment value goes: the client's logger at warn, else `process.emitWarning`. */
export type EnvWarn = (message: string) => void;

export const emitEnvWarning: EnvWarn = (message) => process.emitWarning(message, { code: 'TINKEX_ENV' });

/** The variables already reported: one line per variable per process, however many clients read it. */
const reported = new Set<string>();

/**
 * The value of `name` as `read` understands it; an empty or unset variable gives `fallback` quietly.
 * A value `read` does not understand gives `fallback` too (as the Python SDK, so no setup breaks), with
 * one warning line naming the variable, its value (only variables that never hold a secret are read
 * here), the values accepted, and what is used instead.
 */
export function envValue<T>(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  read: (value: string) => T | undefined,
  rule: { accepts: string; fallback: T; usingText?: string; unset?: T },
  warn: EnvWarn = emitEnvWarning,
): T {
  const raw = env[name]?.trim();
  if (!raw) return rule.unset ?? rule.fallback;
  const value = read(raw);
  if (value !== undefined) return value;
  if (!reported.has(name)) {
    reported.add(name);
    warn(
      `${name}=${JSON.stringify(raw)} is not understood (accepted: ${rule.accepts}); using ` +
        (rule.usingText ?? String(rule.fallback)),
    );
  }
  return rule.fallback;
}

const ON = new Set(['1', 'true', 'yes', 'on']);
const OFF = new Set(['0', 'false', 'no', 'off']);

/** A yes/no variable: `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off`, in any letter case. */
export function readSwitch(value: string): boolean | undefined {
  const v = value.toLowerCase();
  return ON.has(v) ? true : OFF.has(v) ? false : undefined;
}

export const SWITCH_WORDS = '1/true/yes/on or 0/false/no/off';

/**
 * The emulator's own "undefined means the default" (it shares no code with the SDK, whose
 * `OptionChecks.withDefaults` does the same): a member given as `undefined` is treated as absent, so
 * `{ ...DEFAULTS, ...given }` never lets it replace a default, and checks never see it.
 */
export function definedMembers<T extends object>(given: Partial<T> | undefined): Partial<T> {
  const out: Partial<T> = {};
  for (const [name, value] of Object.entries(given ?? {}))
    if (value !== undefined) (out as Record<string, unknown>)[name] = value;
  return out;
}

/** `defaults` overridden by the members of `given` that are not undefined (a fresh object). */
export function withDefaults<T extends object>(defaults: Readonly<T>, given: Partial<T> | undefined): T {
  return { ...defaults, ...definedMembers(given) };
}

/** `value` if it is one of `allowed`, else an Error naming the option and the choices. */
export function oneOf<T extends string>(name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value))
    throw new RangeError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return value;
}

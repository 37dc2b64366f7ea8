import fc from 'fast-check';
import { PristineError } from '../../src/kernel/errors/pristine-error.js';

/**
 * Shared settings of the property-based suites. `npm test` runs each property with its small default
 * count and a fixed seed (reproducible, bounded time); `npm run test:fuzz` sets FUZZ_RUNS to run every
 * property that many times. FUZZ_SEED replays a failure fast-check reported.
 */
export function fuzzParams(defaultRuns: number): fc.Parameters<unknown> {
  const runs = Number(process.env.FUZZ_RUNS);
  const seed = Number(process.env.FUZZ_SEED);
  return {
    numRuns: Number.isInteger(runs) && runs > 0 ? runs : defaultRuns,
    seed: Number.isInteger(seed) ? seed : 0x7123,
    endOnFailure: true,
  };
}

/** Long mode gets a longer Jest timeout per property. */
export const FUZZ_TIMEOUT_MS = process.env.FUZZ_RUNS ? 30 * 60_000 : 60_000;

/** How long one call may take before it counts as a hang (a guard, not a timing assertion). */
export const CALL_DEADLINE_MS = 10_000;

export type Outcome = { ok: true; value: unknown } | { ok: false; error: PristineError };

/**
 * Run one public entry point on generated input. It must return, or throw/reject with a PristineError
 * (a ValidationError or another documented class); anything else (TypeError, RangeError, a string) is
 * a crash, and not settling within CALL_DEADLINE_MS is a hang. Both fail the property with a message
 * fast-check shrinks on.
 */
export async function settleTyped(run: () => unknown): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HangError()), CALL_DEADLINE_MS);
  });
  try {
    const value = await Promise.race([Promise.resolve().then(run), hang]);
    return { ok: true, value };
  } catch (error) {
    if (error instanceof HangError) throw new Error(`did not settle within ${CALL_DEADLINE_MS} ms`);
    if (error instanceof PristineError) return { ok: false, error };
    throw new Error(`untyped crash: ${describeThrown(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/** The synchronous form, for builders: no promise may come back, and every throw is typed. */
export function callTyped(run: () => unknown): Outcome {
  try {
    const value = run();
    return { ok: true, value };
  } catch (error) {
    if (error instanceof PristineError) return { ok: false, error };
    throw new Error(`untyped crash: ${describeThrown(error)}`, { cause: error });
  }
}

class HangError extends Error {}

function describeThrown(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : `non-error ${typeof error}`;
}

/*
 * No unhandled rejection: jest-circus replaces the process's `unhandledRejection` listeners while a
 * test file runs and fails the running test (or hook) with the rejection's error, so any promise the
 * SDK leaves to reject on its own fails the property that caused it. (A listener added from inside the
 * test sandbox would never fire: Jest gives each sandbox a copy of `process`.)
 */

/** Values of every JavaScript kind, weighted towards the ones that broke validation before. */
export function anyValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.anything({
        withBigInt: true,
        withMap: true,
        withSet: true,
        withTypedArray: true,
        withNullPrototype: true,
        withSparseArray: true,
      }),
    },
    { weight: 2, arbitrary: badNumber() },
    {
      weight: 1,
      arbitrary: fc.constantFrom<unknown>(
        undefined,
        null,
        '',
        '.',
        '..',
        Symbol('s'),
        () => 1,
        new Date(Number.NaN),
      ),
    },
  );
}

/** Numbers that are not plain finite integers. */
export function badNumber(): fc.Arbitrary<number> {
  return fc.oneof(
    fc.constantFrom(
      Number.NaN,
      Infinity,
      -Infinity,
      -0,
      -1,
      0.5,
      2 ** 53,
      2 ** 31,
      -(2 ** 31),
      Number.MAX_VALUE,
      Number.EPSILON,
    ),
    fc.double(),
    fc.integer(),
  );
}

/** Strings a header or URL cannot carry, and ones that look harmless. */
export function trickyString(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      '',
      '.',
      '..',
      'a\r\nb',
      'x\ny',
      'key…',
      'é',
      '\u0000',
      '\uD800',
      ' ',
      'a/b',
      '../x',
      'a//b',
      '%2e%2e',
      '?#',
    ),
    // Any UTF-16 code unit (CR/LF, controls, Latin-1, `…`, lone surrogates); `unit: 'binary'` is far slower.
    fc.string({ unit: fc.nat(0xffff).map((code) => String.fromCharCode(code)) }),
    fc.string(),
  );
}

import { PluginError } from '../errors/plugin-errors.js';
import type { CallContext, CallResult, Next, Stage } from './context.js';

/**
 * Stages the pipeline can hook in one `then` (one bit each in a 32-bit mask, no array per call); a stage
 * placed further down runs as `run`.
 */
export const MAX_HOOKED_STAGE = 30;

/**
 * What the caller of {@link Pipeline.execute} does with the call's outcome, done in the pipeline's own
 * last `then` rather than in `then`s of the caller's: each is a promise, a reaction and a closure held for
 * the call's whole network wait (the kernel's in-flight count and `call`'s body were two per call).
 */
export interface CallFinish<T> {
  /** Told once the call settled, either way, after every stage's hooks; before `map`. Must not throw. */
  readonly settled?: (() => void) | undefined;
  /** The result handed on, made from the final `CallResult` (what it throws rejects the call). */
  readonly map?: ((result: CallResult) => T) | undefined;
}

/**
 * `run` for a stage with `enter` (see `Stage.enter`): its own `then` around `next()` with its hooks,
 * which is what the pipeline does for several such stages at once. A stage without `enter` is a plugin's
 * mistake, told as one (it was a TypeError from inside the kernel).
 */
export function runEntered(stage: Stage, context: CallContext, next: Next): Promise<CallResult> {
  if (!stage.enter) throw new PluginError(`Stage "${stage.name}" has no enter for runEntered to run`);
  const entered = stage.enter(context, next);
  if (entered === false) return next();
  if (entered !== true) return entered;
  const hooks = stage.hooks;
  if (!hooks) return next();
  const { fulfilled, rejected } = hooks;
  return next().then(
    fulfilled && ((result: CallResult) => fulfilled(context, result)),
    rejected &&
      ((error: unknown) => {
        throw rejected(context, error);
      }),
  );
}

/**
 * A stage defined by its `enter` (and `hooks`): its `run`, for callers of `run` itself, does the same
 * through `runEntered`, so no stage writes that `run` out again.
 */
export function enteringStage(stage: Omit<Stage, 'run' | 'enter'> & Required<Pick<Stage, 'enter'>>): Stage {
  const entering: Stage = { ...stage, run: (context, next) => runEntered(entering, context, next) };
  return entering;
}

/**
 * `result` with the hooks of the stages in `hooked` (bit i: `stages[i]`) applied innermost first, as
 * nested `then`s would apply them: a fulfilled hook that throws hands its error to the hooks outside it,
 * and each rejected hook's answer (returned or thrown) is the error the next one outside sees. Then, in
 * the same `then`, the caller's `finish` (see `Pipeline.execute`): `settled` either way, `map` on success.
 */
export function settleThrough(
  result: Promise<CallResult>,
  stages: readonly Stage[],
  hooked: number,
  context: CallContext,
  finish?: CallFinish<unknown>,
): Promise<CallResult> {
  const innermost = 31 - Math.clz32(hooked);
  if (finish === undefined) {
    return result.then(
      (value) => fulfilledFrom(stages, hooked, innermost, context, value),
      (error: unknown) => {
        throw rejectedFrom(stages, hooked, innermost, context, error);
      },
    );
  }
  const { settled, map } = finish;
  return result.then(
    (value) => {
      let out: CallResult;
      try {
        out = fulfilledFrom(stages, hooked, innermost, context, value);
      } finally {
        settled?.();
      }
      return map ? (map(out) as CallResult) : out;
    },
    (error: unknown) => {
      const failure = rejectedFrom(stages, hooked, innermost, context, error);
      settled?.();
      throw failure;
    },
  );
}

function fulfilledFrom(
  stages: readonly Stage[],
  hooked: number,
  from: number,
  context: CallContext,
  value: CallResult,
): CallResult {
  let result = value;
  for (let i = from; i >= 0; i--) {
    if ((hooked & (1 << i)) === 0) continue;
    const fulfilled = stages[i].hooks?.fulfilled;
    if (fulfilled === undefined) continue;
    try {
      result = fulfilled(context, result);
    } catch (error) {
      throw rejectedFrom(stages, hooked, i - 1, context, error);
    }
  }
  return result;
}

/** The error the outermost hooked stage leaves (the caller throws it). */
function rejectedFrom(
  stages: readonly Stage[],
  hooked: number,
  from: number,
  context: CallContext,
  error: unknown,
): unknown {
  let failure = error;
  for (let i = from; i >= 0; i--) {
    if ((hooked & (1 << i)) === 0) continue;
    const rejected = stages[i].hooks?.rejected;
    if (rejected === undefined) continue;
    try {
      failure = rejected(context, failure);
    } catch (thrown) {
      failure = thrown;
    }
  }
  return failure;
}

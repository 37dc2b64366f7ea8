import { sanitizedCause } from '../errors/error-secrets.js';
import { PluginError } from '../errors/plugin-errors.js';
import { PristineError } from '../errors/pristine-error.js';
import type { CallContext, CallResult, Next, Stage, StageHooks } from './context.js';

/**
 * A plugin's stage as the pipeline runs it: whatever the stage's own code throws (or rejects with) that
 * is not a PristineError becomes a PluginError naming the plugin and the stage, with the throw as its
 * cause. A stage placed outside the kernel's `errors` stage (`{ after: 'validate' }`) would otherwise
 * hand the caller a raw `Error`, and one inside it would pass for an `APIConnectionError`. What the
 * stages inside it throw passes untouched: it is theirs to type, not this plugin's fault.
 *
 * The usual stage ends in `return next()`: its promise is the inner stages' own, so it is returned as
 * it is and the guard adds no promise to the call; only a stage that chains on `next()` or waits first
 * gets one `then`.
 */
export function guardedStage(stage: Stage, plugin: string): Stage {
  const typed = (error: unknown): unknown => {
    if (error instanceof PristineError) return error;
    const reason = (error as Error)?.message ?? String(error);
    return new PluginError(`Stage "${stage.name}" of plugin "${plugin}" threw: ${reason}`, {
      cause: sanitizedCause(error),
    });
  };
  const guard = (context: CallContext, next: Next, call: (next: Next) => Promise<CallResult> | boolean) => {
    const inner = new Inner(next);
    let result: Promise<CallResult> | boolean;
    try {
      result = call(inner.next);
    } catch (error) {
      throw typed(error);
    }
    if (typeof result === 'boolean' || result === inner.promise) return result;
    inner.watch();
    return result.then(undefined, (error: unknown) => {
      throw inner.threw(error) ? error : typed(error);
    });
  };
  const guarded: Stage = {
    name: stage.name,
    run: (context, next) => {
      try {
        return guard(context, next, (n) => stage.run(context, n)) as Promise<CallResult>;
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
  };
  const { passes, enter, hooks } = stage;
  if (passes) guarded.passes = (context) => attempt(() => passes.call(stage, context), typed);
  if (enter) guarded.enter = (context, next) => guard(context, next, (n) => enter.call(stage, context, n));
  if (hooks) (guarded as { hooks?: StageHooks }).hooks = guardedHooks(hooks, typed);
  return guarded;
}

/** The inner stages' promise, as the stage got it from `next()`, and whether a failure came from there. */
class Inner {
  promise: Promise<CallResult> | undefined;
  private watching = false;
  private failure: { error: unknown } | undefined;

  constructor(private readonly call: Next) {}

  readonly next: Next = () => {
    const promise = this.call();
    this.promise = promise;
    // Called after the stage returned (it waited first): its failure must be told from the stage's own.
    if (this.watching) this.record(promise);
    return promise;
  };

  /** The stage did not return `next()` itself: failures from inside are recorded from now on. */
  watch(): void {
    this.watching = true;
    if (this.promise) this.record(this.promise);
  }

  threw(error: unknown): boolean {
    return this.failure !== undefined && this.failure.error === error;
  }

  private record(promise: Promise<CallResult>): void {
    // Attached before the stage's own reactions run on it, so it is known by the time the stage fails.
    promise.then(undefined, (error: unknown) => void (this.failure = { error }));
  }
}

function attempt<T>(work: () => T, typed: (error: unknown) => unknown): T {
  try {
    return work();
  } catch (error) {
    throw typed(error);
  }
}

function guardedHooks(hooks: StageHooks, typed: (error: unknown) => unknown): StageHooks {
  const out: StageHooks = {};
  const { fulfilled, rejected } = hooks;
  if (fulfilled)
    out.fulfilled = (context, result) => attempt(() => fulfilled.call(hooks, context, result), typed);
  if (rejected)
    out.rejected = (context, error) => {
      const answer = attempt(() => rejected.call(hooks, context, error), typed);
      return answer === error ? answer : typed(answer);
    };
  return out;
}

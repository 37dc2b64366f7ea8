import { PristineError } from '../errors/pristine-error.js';
import type { CallContext, CallResult, Stage, StagePlacement } from './context.js';
import { guardedStage } from './guarded-stage.js';
import { type CallFinish, MAX_HOOKED_STAGE, settleThrough } from './stage-hooks.js';

export type { CallFinish } from './stage-hooks.js';

/** A stage with where it goes, for {@link Pipeline.insertAll}. */
export interface Pending {
  stage: Stage;
  placement: StagePlacement;
}

/**
 * The ordered list of named stages. The order is data: plugins insert stages before or after a named
 * stage; `order()` shows the result. Duplicate names, unknown anchors and placement cycles are rejected.
 */
export class Pipeline {
  private stages: Stage[];

  constructor(builtIns: readonly Stage[]) {
    this.stages = [...builtIns];
    assertUnique(this.stages.map((s) => s.name));
  }

  order(): string[] {
    return this.stages.map((s) => s.name);
  }

  /**
   * Insert several stages whose anchors may refer to each other; resolves them in dependency order. A
   * plugin's stages (`plugin` names it) are guarded: what their own code throws leaves them typed.
   */
  insertAll(given: readonly Pending[], plugin?: string): void {
    const entries =
      plugin === undefined ? given : given.map((p) => ({ ...p, stage: guardedStage(p.stage, plugin) }));
    const names = [...this.order(), ...entries.map((e) => e.stage.name)];
    assertUnique(names);
    let pending = [...entries];
    while (pending.length > 0) {
      const placeable = pending.filter((p) => this.indexOf(anchorOf(p.placement)) >= 0);
      if (placeable.length === 0) {
        const known = new Set(names);
        const unknown = pending.find((p) => !known.has(anchorOf(p.placement)));
        if (unknown) {
          throw new PristineError(
            `Stage "${unknown.stage.name}" is placed relative to unknown stage "${anchorOf(unknown.placement)}"`,
          );
        }
        throw new PristineError(
          `Stage placements form a cycle: ${pending.map((p) => p.stage.name).join(', ')}`,
        );
      }
      for (const p of placeable) this.insert(p.stage, p.placement);
      pending = pending.filter((p) => !placeable.includes(p));
    }
  }

  insert(stage: Stage, placement: StagePlacement): void {
    if (this.indexOf(stage.name) >= 0) throw new PristineError(`Stage "${stage.name}" already exists`);
    const anchor = this.indexOf(anchorOf(placement));
    if (anchor < 0) throw new PristineError(`Unknown stage "${anchorOf(placement)}"`);
    const at = 'before' in placement ? anchor : anchor + 1;
    this.stages = [...this.stages.slice(0, at), stage, ...this.stages.slice(at)];
  }

  remove(name: string): void {
    this.stages = this.stages.filter((s) => s.name !== name);
  }

  /**
   * Run the stages in order; each decides whether and how often to call the next. A stage whose
   * `passes(context)` says it has nothing to do is stepped over when its turn comes. Stages with `enter`
   * that leave only synchronous work on the outcome are run in one go with the stages after them, and
   * their hooks are attached together in one `then` around the first stage that returns a promise (see
   * `Stage.enter`). With `finish`, its `settled` and `map` are done in the `then` the outermost hooks
   * are settled in (one then is attached for them if no stage there has hooks). Never throws
   * synchronously.
   */
  execute(context: CallContext): Promise<CallResult>;
  execute<T>(context: CallContext, finish: CallFinish<T>): Promise<T>;
  execute(context: CallContext, finish?: CallFinish<unknown>): Promise<unknown> {
    const stages = this.stages;
    const run = (index: number, last?: CallFinish<unknown>): Promise<CallResult> => {
      let at = index;
      // The stages whose hooks apply to this stretch, one bit each.
      let hooked = 0;
      // One `next` for the stretch: the stages that enter (true or false) never call it, so it is the
      // next of the stage that returns the promise, where the loop stops (it reads `at` when called).
      let next: (() => Promise<CallResult>) | undefined;
      let result: Promise<CallResult>;
      try {
        for (;;) {
          const stage = stages[at];
          if (stage === undefined) {
            result = Promise.reject(new PristineError(PAST_THE_END));
            break;
          }
          if (stage.passes?.(context) === true) {
            at++;
            continue;
          }
          next ??= () => run(at + 1);
          if (stage.enter === undefined || at > MAX_HOOKED_STAGE) {
            result = stage.run(context, next);
            break;
          }
          const entered = stage.enter(context, next);
          if (entered === true || entered === false) {
            if (entered && stage.hooks) hooked |= 1 << at;
            at++;
            continue;
          }
          result = entered;
          break;
        }
      } catch (error) {
        // A stage that throws synchronously still yields a rejected promise, so every `next()` can be
        // chained with `.then`/`.catch`: stages on the hot path avoid an async frame that way.
        result = Promise.reject(error);
      }
      return hooked === 0 && last === undefined
        ? result
        : settleThrough(result, stages, hooked, context, last);
    };
    return run(0, finish);
  }

  private indexOf(name: string): number {
    return this.stages.findIndex((s) => s.name === name);
  }
}

const PAST_THE_END = 'The pipeline ended without a transport stage';

function anchorOf(placement: StagePlacement): string {
  return 'before' in placement ? placement.before : placement.after;
}

function assertUnique(names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new PristineError(`Duplicate stage name "${name}"`);
    seen.add(name);
  }
}

import type { PluginSpec } from '../plugin.js';
import type { KernelServices } from '../services.js';
import type { CallContext, Stage } from './context.js';

/**
 * A built-in stage whose `passes` depends only on what is fixed for an endpoint: the endpoint, its
 * plugin's (frozen) spec and the kernel's services (the transport), never on the call's options,
 * settings, listeners or what earlier stages did. The pipeline asks it once per endpoint, not per call.
 */
export interface FixedPassesStage extends Stage {
  readonly passesFixed: true;
}

/**
 * The stages as calls run them, with each one's `passes` to ask per call (`checks[i]`, undefined for
 * none). Made from the pipeline's list `from`; for one endpoint (`spec` and `services` then say what it
 * was made for) a stage with a fixed `passes` that passes is left out, one that does not is kept without
 * its `passes`. The pipeline makes a new one when the list, the spec or the services change.
 */
export interface RunningStages {
  readonly from: readonly Stage[];
  readonly stages: readonly Stage[];
  readonly checks: readonly (Stage['passes'] | undefined)[];
  /** Whether any stage's `passes` is fixed (else one `RunningStages` serves every endpoint). */
  readonly fixed: boolean;
  readonly spec?: PluginSpec;
  readonly services?: KernelServices;
}

const isFixed = (stage: Stage): boolean => (stage as Partial<FixedPassesStage>).passesFixed === true;

/** `from` as every endpoint runs it when no stage's `passes` is fixed: each `passes` asked per call. */
export function allStages(from: readonly Stage[]): RunningStages {
  return { from, stages: from, checks: from.map((s) => s.passes), fixed: from.some(isFixed) };
}

/** `from` as `context`'s endpoint runs it (see {@link RunningStages}). */
export function endpointStages(from: readonly Stage[], context: CallContext): RunningStages {
  const stages: Stage[] = [];
  const checks: (Stage['passes'] | undefined)[] = [];
  for (const stage of from) {
    if (!isFixed(stage)) {
      stages.push(stage);
      checks.push(stage.passes);
    } else if (stage.passes?.(context) !== true) {
      stages.push(stage);
      checks.push(undefined);
    }
  }
  return { from, stages, checks, fixed: true, spec: context.plugin.spec, services: context.services };
}

import { closestName } from './closest-name.js';
import { OptionChecks, isPlainObject } from './option-checks.js';

const SHAPE = "an entry is { stage: { name, run }, placement: { before | after: '<stage name>' } }";
const ENTRY_KEYS = new Set(['stage', 'placement']);
const PLACEMENT_KEYS = new Set(['before', 'after']);

/**
 * A plugin's `stages`, checked at `kernel.use`: from JavaScript, a flat `{ name, run, placement }` or a
 * `placement: 'transport'` would otherwise crash registration with a TypeError, and a stage without
 * `run` would be accepted and fail every call.
 */
export function checkPluginStages(pluginName: string, stages: unknown): void {
  const checks = new OptionChecks(`plugin "${pluginName}"`);
  if (stages === undefined) return;
  if (!Array.isArray(stages)) {
    checks.fail('stages', 'type', `must be an array (${SHAPE})`).throwIfAny();
    return;
  }
  for (const [index, entry] of stages.entries()) {
    const at = `stages/${index}`;
    if (!isPlainObject(entry)) {
      checks.fail(at, 'type', `must be an object (${SHAPE})`);
      continue;
    }
    checks.only(entry, ENTRY_KEYS, `a stage entry key (${SHAPE})`, at);
    checkStage(checks, `${at}/stage`, entry.stage);
    checkPlacement(checks, `${at}/placement`, entry.placement);
  }
  checks.throwIfAny();
}

function checkStage(checks: OptionChecks, at: string, stage: unknown): void {
  if (stage === undefined) return void checks.fail(at, 'required', `is required (${SHAPE})`);
  if (!isPlainObject(stage)) return void checks.fail(at, 'type', `must be an object (${SHAPE})`);
  if (stage.name === undefined) checks.fail(`${at}/name`, 'required', 'is required');
  else checks.string(`${at}/name`, stage.name, { nonEmpty: true });
  if (stage.run === undefined) checks.fail(`${at}/run`, 'required', 'is required');
  else checks.func(`${at}/run`, stage.run);
}

function checkPlacement(checks: OptionChecks, at: string, placement: unknown): void {
  if (placement === undefined) return void checks.fail(at, 'required', `is required (${SHAPE})`);
  if (!isPlainObject(placement)) return void checks.fail(at, 'type', `must be an object (${SHAPE})`);
  checks.only(placement, PLACEMENT_KEYS, 'a placement key (before or after)', at);
  const anchors = [...PLACEMENT_KEYS].filter((key) => placement[key] !== undefined);
  if (anchors.length === 2) checks.fail(at, 'oneOf', 'must name one of before and after, not both');
  if (anchors.length === 0 && Object.keys(placement).every((key) => PLACEMENT_KEYS.has(key)))
    checks.fail(at, 'required', 'must name a stage in before or after');
  for (const key of anchors) checks.string(`${at}/${key}`, placement[key], { nonEmpty: true });
}

/**
 * Each placement names a stage that exists: one of the pipeline's (`known`, in order) or another stage
 * of the same plugin. Checked at `kernel.use` once the shapes passed, so a misspelt `{ after: 'trasport' }`
 * is refused at its pointer with the stages to choose from, before the pipeline changes.
 */
export function checkStageAnchors(
  pluginName: string,
  stages: ReadonlyArray<{ stage: { name: string }; placement: { before: string } | { after: string } }>,
  known: readonly string[],
): void {
  const checks = new OptionChecks(`plugin "${pluginName}"`);
  const names = [...known, ...stages.map((entry) => entry.stage.name)];
  for (const [index, { stage, placement }] of stages.entries()) {
    const key = 'before' in placement ? 'before' : 'after';
    const anchor = 'before' in placement ? placement.before : placement.after;
    if (names.includes(anchor)) continue;
    const others = names.filter((name) => name !== stage.name);
    const hint = closestName(anchor, others);
    const list = others.map((name) => JSON.stringify(name)).join(', ');
    checks.fail(
      `stages/${index}/placement/${key}`,
      'enum',
      `names no stage: ${JSON.stringify(anchor)}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}; the stages are ${list}`,
    );
  }
  checks.throwIfAny();
}

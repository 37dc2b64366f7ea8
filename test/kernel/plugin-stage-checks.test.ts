import { describe, expect, it } from '@jest/globals';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin, type PluginSpec } from '../../src/kernel/plugin.js';
import { thrown } from '../support/validation-errors.js';

/**
 * Found by hand, writing a plugin from docs/plugin-authoring.md in JavaScript: a plugin's `stages` were
 * not checked at `kernel.use`. The guide's wording ("a stage is `{ name, run }`, placed `{ before:
 * 'transport' }`") read as a flat `{ name, run, placement }` entry crashed `kernel.use` with "Cannot read
 * properties of undefined (reading 'name')"; a `placement: 'transport'` with "Cannot use 'in' operator";
 * a stage without `run` was accepted and failed every call later.
 */
const run = (_context: unknown, next: () => Promise<unknown>) => next();

function register(stages: unknown) {
  const plugin = definePlugin({
    name: 'shop',
    version: '1',
    defaults: { baseUrl: 'http://127.0.0.1:9' },
    manifest: { name: 'shop', version: '1', endpoints: [{ id: 'buy', method: 'POST', path: '/buy' }] },
    stages,
  } as PluginSpec);
  return () => createKernel().use(plugin);
}

describe("a plugin's stages are checked at kernel.use", () => {
  it.each([
    ['not an array', { stage: { name: 's', run }, placement: { before: 'transport' } }, '/stages', 'type'],
    ['an entry that is no object', ['audit'], '/stages/0', 'type'],
    [
      'a stage without run',
      [{ stage: { name: 's' }, placement: { before: 'transport' } }],
      '/stages/0/stage/run',
      'required',
    ],
    [
      'a run that is no function',
      [{ stage: { name: 's', run: 1 }, placement: { before: 'transport' } }],
      '/stages/0/stage/run',
      'type',
    ],
    [
      'a stage without a name',
      [{ stage: { run }, placement: { before: 'transport' } }],
      '/stages/0/stage/name',
      'required',
    ],
    [
      'an empty name',
      [{ stage: { name: '', run }, placement: { before: 'transport' } }],
      '/stages/0/stage/name',
      'minLength',
    ],
    ['no placement', [{ stage: { name: 's', run } }], '/stages/0/placement', 'required'],
    [
      'a placement that is a string',
      [{ stage: { name: 's', run }, placement: 'transport' }],
      '/stages/0/placement',
      'type',
    ],
    [
      'both before and after',
      [{ stage: { name: 's', run }, placement: { before: 'transport', after: 'validate' } }],
      '/stages/0/placement',
      'oneOf',
    ],
    [
      'neither before nor after',
      [{ stage: { name: 's', run }, placement: { infront: 'transport' } }],
      '/stages/0/placement/infront',
      'additionalProperties',
    ],
    [
      'an anchor that is no string',
      [{ stage: { name: 's', run }, placement: { before: 3 } }],
      '/stages/0/placement/before',
      'type',
    ],
  ])('refuses %s, naming the field and the rule', (_case, stages, pointer, rule) => {
    const error = thrown(register(stages));
    expect(error.message).toContain('plugin "shop"');
    expect(error.issues).toEqual(expect.arrayContaining([expect.objectContaining({ pointer, rule })]));
  });

  // Round 37: an anchor naming no stage threw a plain PristineError ('Stage "s" is placed relative to
  // unknown stage "trasport"'), with no pointer, no rule and nothing to choose from.
  it('refuses an anchor that names no stage, at its pointer, listing the stages and the closest one', () => {
    const error = thrown(
      register([
        { stage: { name: 'audit', run }, placement: { before: 'transport' } },
        { stage: { name: 's', run }, placement: { after: 'trasport' } },
        { stage: { name: 't', run }, placement: { before: 'nowhere-near' } },
      ]),
    );
    expect(error.issues.map((i) => [i.pointer, i.rule])).toEqual([
      ['/stages/1/placement/after', 'enum'],
      ['/stages/2/placement/before', 'enum'],
    ]);
    const [misspelt, unknown] = error.issues;
    expect(misspelt.message).toMatch(
      /^names no stage: "trasport" \(did you mean "transport"\?\); the stages are /,
    );
    // The plugin's own stages are anchors too.
    expect(unknown.message).toContain('"audit"');
    expect(unknown.message).toContain('"transport"');
    expect(unknown.message).not.toContain('did you mean');
  });

  it('says what an entry looks like when given the stage itself (flat)', () => {
    const error = thrown(register([{ name: 's', run, placement: { before: 'transport' } }]));
    expect(error.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ pointer: '/stages/0/stage', rule: 'required' })]),
    );
    expect(error.message).toContain('{ stage: { name, run }, placement: { before | after');
  });

  it('accepts the stages the guide describes', () => {
    const use = register([
      { stage: { name: 'audit', run }, placement: { before: 'transport' } },
      { stage: { name: 'cache', run }, placement: { after: 'audit' } },
    ]);
    expect(use).not.toThrow();
  });
});

import { describe, expect, it } from '@jest/globals';
import { createKernel } from '../../src/defaults/kernel.js';
import { Pipeline } from '../../src/kernel/pipeline/pipeline.js';
import type { Stage } from '../../src/kernel/pipeline/context.js';
import { thingsPlugin } from './fixtures/things-plugin.js';

const stage = (name: string): Stage => ({ name, run: (_c, next) => next() });

describe('pipeline stage order', () => {
  it('pins the documented built-in order', () => {
    expect(createKernel().pipeline.order()).toEqual([
      'validate',
      'telemetry',
      'errors',
      'response',
      'retry',
      'ratelimit',
      'breaker',
      'semaphore',
      'build',
      'auth',
      'check-headers',
      'attempt',
      'classify',
      'log',
      'transport',
    ]);
  });

  it('lets a plugin insert stages before and after named built-ins, even relative to each other', () => {
    const kernel = createKernel().use(
      thingsPlugin({
        stages: [
          { stage: stage('sign'), placement: { after: 'audit' } },
          { stage: stage('audit'), placement: { before: 'transport' } },
          { stage: stage('trace-input'), placement: { after: 'validate' } },
        ],
      }),
    );
    const order = kernel.pipeline.order();
    expect(order.slice(0, 2)).toEqual(['validate', 'trace-input']);
    expect(order.slice(-3)).toEqual(['audit', 'sign', 'transport']);
  });

  it('rejects duplicate names, unknown anchors and cycles', () => {
    const pipeline = new Pipeline([stage('a'), stage('b')]);
    expect(() => pipeline.insert(stage('a'), { before: 'b' })).toThrow(/already exists/);
    expect(() => pipeline.insertAll([{ stage: stage('x'), placement: { after: 'nowhere' } }])).toThrow(
      /unknown stage "nowhere"/,
    );
    expect(() =>
      pipeline.insertAll([
        { stage: stage('x'), placement: { after: 'y' } },
        { stage: stage('y'), placement: { before: 'x' } },
      ]),
    ).toThrow(/cycle/);
    expect(pipeline.order()).toEqual(['a', 'b']);
  });
});

import { describe, expect, it } from '@jest/globals';
import { Pipeline, type CallContext, type CallResult, type Stage } from 'pristine-kernel';
import { negotiateStage } from '../../src/plugin/negotiate-stage.js';
import { TinkerHolders } from '../../src/protocol/holders.js';
import type { TinkerProtocol } from '../../src/protocol/tinker-protocol.js';

const ok: CallResult = { status: 200, headers: {}, body: 'done' };

/** A holder whose handshake is done (legacy mode: no body reshaping) or still to come. */
function holder(negotiated: boolean, log: string[]): TinkerProtocol {
  return {
    mode: negotiated ? 'legacy' : undefined,
    ensure: () => {
      log.push('handshake');
      return Promise.resolve();
    },
  } as unknown as TinkerProtocol;
}

function callTo(endpointId: string, plugin = 'tinker'): CallContext {
  return {
    plugin: { spec: { name: plugin } },
    endpoint: { id: endpointId, spec: {} },
    options: {},
    input: {},
  } as unknown as CallContext;
}

/** A stage with hooks in front of the negotiate stage, counting the `then`s its hooks are settled in. */
function outerHooked(log: string[]): Stage {
  return {
    name: 'outer',
    run: () => Promise.reject(new Error('outer must be entered, not run')),
    enter: () => true,
    hooks: {
      fulfilled: (_c, result) => {
        log.push('outer hook');
        return result;
      },
    },
  };
}

describe('the negotiate stage enters (no then of its own once its holder has negotiated)', () => {
  it('leaves nothing after the next stage for a negotiated holder or another plugin’s call', () => {
    const log: string[] = [];
    const negotiated = holder(true, log);
    const stage = negotiateStage(new TinkerHolders(negotiated, negotiated));
    const next = () => {
      log.push('next');
      return Promise.resolve(ok);
    };
    expect(stage.enter?.(callTo('asample'), next)).toBe(false);
    expect(stage.enter?.(callTo('get_server_capabilities'), next)).toBe(false);
    expect(stage.enter?.(callTo('anything', 'other-plugin'), next)).toBe(false);
    expect(log).toEqual([]);
  });

  it('waits for the handshake first, then calls on, when its holder has not negotiated', async () => {
    const log: string[] = [];
    const fresh = holder(false, log);
    const stage = negotiateStage(new TinkerHolders(fresh, fresh));
    const entered = stage.enter?.(callTo('asample'), () => {
      log.push('next');
      return Promise.resolve(ok);
    });
    expect(entered).toBeInstanceOf(Promise);
    await expect(entered).resolves.toBe(ok);
    expect(log).toEqual(['handshake', 'next']);
  });

  it('keeps the hooks of the stages around it in one stretch: the call settles with them', async () => {
    const log: string[] = [];
    const negotiated = holder(true, log);
    const stages = [
      negotiateStage(new TinkerHolders(negotiated, negotiated)),
      outerHooked(log),
      { name: 'transport', run: () => Promise.resolve(ok) },
    ];
    const order: string[] = [];
    const through = new Pipeline(stages).execute(callTo('asample'), { map: (r) => r.body });
    const direct = new Pipeline(stages.slice(1)).execute(callTo('asample'), { map: (r) => r.body });
    await Promise.all([through.then(() => order.push('through')), direct.then(() => order.push('direct'))]);
    // A negotiate stage that wrapped `next()` would add a step: the call through it would settle last.
    expect(order).toEqual(['through', 'direct']);
    expect(log).toEqual(['outer hook', 'outer hook']);
  });
});

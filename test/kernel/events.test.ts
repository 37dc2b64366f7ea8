import { afterEach, describe, expect, it } from '@jest/globals';
import diagnostics_channel from 'node:diagnostics_channel';
import { KernelEvents } from '../../src/kernel/events.js';

const unsubscribes: Array<() => void> = [];
afterEach(() => {
  for (const off of unsubscribes.splice(0)) off();
});

function subscribeChannel(name: string, fn: (message: unknown, name: string | symbol) => void): void {
  diagnostics_channel.subscribe(name, fn);
  unsubscribes.push(() => diagnostics_channel.unsubscribe(name, fn));
}

const stop = { endpointId: 'things.list', status: 200, durationMs: 12, attempts: 1 };

describe('KernelEvents', () => {
  it('calls listeners in subscription order with the payload', () => {
    const events = new KernelEvents();
    const calls: string[] = [];
    events.on('request:stop', (p) => calls.push(`a:${p.status}`));
    events.on('request:stop', (p) => calls.push(`b:${p.attempts}`));
    events.on('request:start', () => calls.push('wrong event'));
    events.emit('request:stop', stop);
    expect(calls).toEqual(['a:200', 'b:1']);
  });

  it('unsubscribes only the one subscription, idempotently', () => {
    const events = new KernelEvents();
    const calls: number[] = [];
    const listener = () => calls.push(1);
    const offFirst = events.on('ratelimit:wait', listener);
    events.on('ratelimit:wait', listener);
    offFirst();
    offFirst();
    events.emit('ratelimit:wait', { bucket: 'b', waitMs: 5 });
    expect(calls).toEqual([1]);
    expect(events.listenerCount('ratelimit:wait')).toBe(1);
  });

  it('does not change the listeners of an emit already under way', () => {
    const events = new KernelEvents();
    const calls: string[] = [];
    let offSecond = () => {};
    events.on('queue:state', () => {
      calls.push('first');
      offSecond();
      events.on('queue:state', () => calls.push('late'));
    });
    offSecond = events.on('queue:state', () => calls.push('second'));
    events.emit('queue:state', { requestId: 'r', queueState: 'paused' });
    expect(calls).toEqual(['first', 'second']);
  });

  it('runs a once listener a single time', () => {
    const events = new KernelEvents();
    const calls: number[] = [];
    events.once('breaker:state', () => calls.push(1));
    events.emit('breaker:state', { key: 'k', from: 'closed', to: 'open' });
    events.emit('breaker:state', { key: 'k', from: 'open', to: 'half-open' });
    expect(calls).toEqual([1]);
  });

  it('isolates a throwing listener: emit returns, later listeners run, the error is reported once', () => {
    const reported: Array<[unknown, string]> = [];
    const events = new KernelEvents({ onListenerError: (error, event) => reported.push([error, event]) });
    const calls: number[] = [];
    const boom = new Error('listener bug');
    events.on('request:error', () => {
      throw boom;
    });
    events.on('request:error', () => calls.push(1));
    expect(() => events.emit('request:error', { endpointId: 'e', error: new Error('x') })).not.toThrow();
    expect(() => events.emit('request:error', { endpointId: 'e', error: new Error('y') })).not.toThrow();
    expect(calls).toEqual([1, 1]);
    expect(reported).toEqual([[boom, 'request:error']]);
  });

  it('survives a throwing error reporter', () => {
    const events = new KernelEvents({
      onListenerError() {
        throw new Error('reporter bug');
      },
    });
    events.on('request:stop', () => {
      throw new Error('listener bug');
    });
    expect(() => events.emit('request:stop', stop)).not.toThrow();
  });

  it('publishes each event on diagnostics_channel pristine:<event> to its subscribers', () => {
    const events = new KernelEvents();
    const received: Array<[unknown, string | symbol]> = [];
    subscribeChannel('pristine:request:stop', (message, name) => received.push([message, name]));
    events.emit('request:stop', stop);
    events.emit('request:start', { endpointId: 'e', method: 'GET', url: 'https://h/', attempt: 0 });
    expect(received).toEqual([[stop, 'pristine:request:stop']]);
  });

  it('carries custom x: events from plugins', () => {
    const events = new KernelEvents();
    const viaListener: unknown[] = [];
    const viaChannel: unknown[] = [];
    events.on('x:mysdk:upload', (p) => viaListener.push(p));
    subscribeChannel('pristine:x:mysdk:upload', (m) => viaChannel.push(m));
    events.emit('x:mysdk:upload', { bytes: 3 });
    expect(viaListener).toEqual([{ bytes: 3 }]);
    expect(viaChannel).toEqual([{ bytes: 3 }]);
  });

  it('skips publishing when the channel has no subscribers', () => {
    const events = new KernelEvents();
    const channel = diagnostics_channel.channel('pristine:session:heartbeat-failed');
    const original = channel.publish.bind(channel);
    let published = 0;
    channel.publish = (message: unknown) => {
      published++;
      original(message);
    };
    try {
      events.emit('session:heartbeat-failed', { sessionId: 's', failingForMs: 1 });
      expect(published).toBe(0);
      subscribeChannel('pristine:session:heartbeat-failed', () => {});
      events.emit('session:heartbeat-failed', { sessionId: 's', failingForMs: 2 });
      expect(published).toBe(1);
    } finally {
      channel.publish = original;
    }
  });
});

import { describe, expect, it } from '@jest/globals';
import { atExitWhileReachable } from '../../../src/index.js';
import { collected } from '../../support/collected.js';

/** A target whose `fn` counts its runs on the target itself (so `fn` captures nothing). */
function counted(): { runs: number } {
  return { runs: 0 };
}
const count = (target: { runs: number }) => void target.runs++;

describe('atExitWhileReachable', () => {
  it('runs fn(target) once at the next beforeExit, and again only if asked again', () => {
    const target = counted();
    atExitWhileReachable(target, count);
    expect(target.runs).toBe(0);
    process.emit('beforeExit', 0);
    expect(target.runs).toBe(1);
    process.emit('beforeExit', 0);
    expect(target.runs).toBe(1);
    atExitWhileReachable(target, count);
    process.emit('beforeExit', 0);
    expect(target.runs).toBe(2);
  });

  it('keeps one entry per target until it fires: a second ask is ignored', () => {
    const target = counted();
    let second = 0;
    atExitWhileReachable(target, count);
    atExitWhileReachable(target, count);
    atExitWhileReachable(target, () => void second++);
    process.emit('beforeExit', 0);
    expect(target.runs).toBe(1);
    expect(second).toBe(0);
  });

  it('holds its target weakly: a collected target is skipped', async () => {
    let ran = 0;
    const ref = (() => {
      const target = {};
      atExitWhileReachable(target, () => void ran++);
      return new WeakRef(target);
    })();
    expect(await collected(ref)).toBe(true);
    process.emit('beforeExit', 0);
    expect(ran).toBe(0);
  });

  it('shares one process listener among all asks', () => {
    atExitWhileReachable(counted(), count);
    const listeners = process.listenerCount('beforeExit');
    const targets = Array.from({ length: 200 }, counted);
    for (const target of targets) atExitWhileReachable(target, count);
    expect(process.listenerCount('beforeExit')).toBe(listeners);
    process.emit('beforeExit', 0);
    expect(targets.every((target) => target.runs === 1)).toBe(true);
  });

  it('runs every entry when one fn throws, then raises that error', () => {
    const after = counted();
    atExitWhileReachable({}, () => {
      throw new Error('flush failed');
    });
    atExitWhileReachable(after, count);
    expect(() => process.emit('beforeExit', 0)).toThrow('flush failed');
    expect(after.runs).toBe(1);
  });
});

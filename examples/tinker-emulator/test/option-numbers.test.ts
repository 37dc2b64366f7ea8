import { describe, expect, it } from '@jest/globals';
import { startEmulator } from '../src/index.js';

/** Numbers given to `startEmulator` that no emulator can mean are refused by name, before it listens. */
describe('startEmulator refuses nonsense numbers', () => {
  it.each([
    ['jwtTtlSeconds', NaN],
    ['jwtTtlSeconds', 1.5],
    ['jwtTtlSeconds', Infinity],
    ['seed', -1],
    ['seed', 2 ** 32],
    ['seed', 0.5],
    ['chaosSeed', NaN],
  ])('%s: %p', async (name, value) => {
    await expect(startEmulator({ [name]: value })).rejects.toThrow(new RegExp(`^${name} must be `));
  });

  it('a negative jwtTtlSeconds is allowed: tests issue tokens that are expired when issued', async () => {
    const emu = await startEmulator({ jwtTtlSeconds: -5 });
    await emu.close();
  });
});

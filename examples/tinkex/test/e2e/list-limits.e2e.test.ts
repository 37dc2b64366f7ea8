import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ValidationError, type RestClient } from '../../src/index.js';
import { setup } from './harness.js';

/**
 * A listing's `limit` (and an iteration's `page_size`) asks for at least one item per page: 0 would
 * walk no page at all or loop on empty ones, a negative or fractional one is meaningless. Each is
 * refused before anything is sent, with a ValidationError naming the field and the rule.
 */
describe('list and paginate options are checked before sending', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let rest: RestClient;
  beforeAll(async () => {
    env = await setup();
    rest = env.service.createRestClient();
    // The session-less holder's handshake, so the request count below counts only the listings.
    await rest.listTrainingRuns();
  });
  afterAll(() => env.close());

  const listings = {
    listTrainingRuns: (limit: number) => rest.listTrainingRuns({ limit }),
    listUserCheckpoints: (limit: number) => rest.listUserCheckpoints({ limit }),
    listSessions: (limit: number) => rest.listSessions({ limit }),
    'iterateTrainingRuns page_size': (size: number) =>
      rest.iterateTrainingRuns({ page_size: size }).toArray(),
    'iterateUserCheckpoints page_size': (size: number) =>
      rest.iterateUserCheckpoints({ page_size: size }).toArray(),
    'iterateSessions page_size': (size: number) => rest.iterateSessions({ page_size: size }).toArray(),
  };

  it.each(Object.keys(listings) as (keyof typeof listings)[])(
    '%s: 0, -1 and 1.5 are refused',
    async (name) => {
      const before = env.emulator.state.requests.length;
      for (const [value, rule] of [
        [0, 'minimum'],
        [-1, 'minimum'],
        [1.5, 'type'],
      ] as const) {
        const error = await listings[name](value).then(
          () => 'sent',
          (e: unknown) => e,
        );
        expect([value, error]).toEqual([value, expect.any(ValidationError)]);
        const issues = (error as ValidationError).issues.map((i) => `${i.pointer} ${i.rule}`).join('; ');
        const field = name.includes('page_size') ? 'page_size' : 'limit';
        expect([value, issues]).toEqual([value, expect.stringMatching(new RegExp(`/${field} ${rule}`))]);
      }
      expect(env.emulator.state.requests.length).toBe(before);
    },
  );

  // Round 25: the filters go to the kernel as given (it sends no undefined member), not first stripped
  // of their undefined ones; an unset filter must still mean the server's default, not a value.
  it('an iteration sends for a filter left undefined what it sends without it', async () => {
    const sent = async (iterate: () => Promise<unknown>) => {
      const before = env.emulator.state.requests.length;
      await iterate();
      return env.emulator.state.requests.slice(before).map((r) => r.path);
    };
    const unset = { access_scope: undefined, project_id: undefined };
    expect(await sent(() => rest.iterateTrainingRuns(unset).toArray())).toEqual(
      await sent(() => rest.iterateTrainingRuns().toArray()),
    );
    expect(await sent(() => rest.iterateSessions({ access_scope: undefined }).toArray())).toEqual(
      await sent(() => rest.iterateSessions().toArray()),
    );
  });

  // A limit or offset given as undefined is not given: the listing's own default (20 runs or sessions,
  // 100 checkpoints, offset 0) is sent, as without it, not nothing (the server's default may differ).
  it.each([
    ['listTrainingRuns', () => rest.listTrainingRuns({ limit: undefined, offset: undefined }), 20],
    ['listSessions', () => rest.listSessions({ limit: undefined, offset: undefined }), 20],
    ['listUserCheckpoints', () => rest.listUserCheckpoints({ limit: undefined, offset: undefined }), 100],
  ] as const)('%s: an undefined limit or offset sends the default', async (_name, list, limit) => {
    const before = env.emulator.state.requests.length;
    await list();
    const [path] = env.emulator.state.requests.slice(before).map((r) => r.path);
    expect(new URL(path, 'http://x').searchParams.get('limit')).toBe(String(limit));
    expect(new URL(path, 'http://x').searchParams.get('offset')).toBe('0');
  });

  it.each([
    ['listTrainingRuns', () => rest.listTrainingRuns({ limt: 5 } as never)],
    ['listSessions', () => rest.listSessions({ limt: 5 } as never)],
    ['listUserCheckpoints', () => rest.listUserCheckpoints({ limt: 5 } as never)],
  ] as const)('%s: a misspelt key is refused by name, nothing sent', async (_name, list) => {
    const before = env.emulator.state.requests.length;
    const error = await list().then(
      () => 'sent',
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/limt/);
    expect(env.emulator.state.requests.length).toBe(before);
  });

  it('offset stays 0 or more; a limit of 1 is sent', async () => {
    await expect(rest.listTrainingRuns({ offset: -1 })).rejects.toThrow(/\/offset/);
    await expect(rest.listTrainingRuns({ limit: 1 })).resolves.toMatchObject({ training_runs: [] });
  });
});

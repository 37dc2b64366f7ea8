import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, request, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIUserAbortError } from 'pristine-kernel';
import { getTokenizer } from '../../src/tokenizer/get-tokenizer.js';
import { BYTE_LEVEL_CONFIG_JSON, BYTE_LEVEL_TOKENIZER_JSON } from '../support/byte-level.js';
import { startFakeHub, type FakeHub } from '../support/fake-hub/index.js';
import { outcomeWithin } from '../support/outcome-within.js';

/**
 * Found by hand (round 37): concurrent `getTokenizer` calls for one tokenizer share one load, which ran
 * under the signal of the call that started it. A later caller's own abort did not end its wait (it
 * waited as long as the Hub did), and the first caller's abort failed every other caller, one without
 * a signal too, with the first caller's APIUserAbortError.
 */
describe('a tokenizer load shared by concurrent getTokenizer calls', () => {
  let hub: FakeHub;
  let front: Server;
  let frontUrl: string;
  let work: string;
  /** While set, the front holds every request (a Hub that is slow to answer); then it passes them on. */
  let holding = true;
  const held: ServerResponse[] = [];

  beforeAll(async () => {
    hub = await startFakeHub();
    hub.seed('acme/shared', {
      'tokenizer.json': BYTE_LEVEL_TOKENIZER_JSON,
      'tokenizer_config.json': BYTE_LEVEL_CONFIG_JSON,
    });
    const target = new URL(hub.url);
    front = createServer((req, res) => {
      if (holding) return void held.push(res);
      const onward = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(onward);
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    frontUrl = `http://127.0.0.1:${(front.address() as { port: number }).port}`;
    work = await mkdtemp(join(tmpdir(), 'tinkex-shared-load-'));
  });
  afterAll(async () => {
    for (const res of held) res.destroy();
    front.closeAllConnections();
    await new Promise((resolve) => front.close(resolve));
    await hub.close();
    await rm(work, { recursive: true, force: true });
  });

  it("ends each caller's wait by its own signal only", async () => {
    const options = { hubUrl: frontUrl, cacheDir: join(work, 'hub'), env: {} };
    const starter = new AbortController();
    const later = new AbortController();
    const first = getTokenizer('acme/shared', { ...options, signal: starter.signal }).catch(
      (e: unknown) => e,
    );
    const second = getTokenizer('acme/shared', { ...options, signal: later.signal }).catch((e: unknown) => e);
    const unsignalled = getTokenizer('acme/shared', options).catch((e: unknown) => e);

    const laterLeft = new Error('the later caller left');
    later.abort(laterLeft);
    const secondOutcome = await outcomeWithin(second);
    expect(secondOutcome).toBeInstanceOf(APIUserAbortError);
    expect((secondOutcome as Error).cause).toBe(laterLeft);

    starter.abort(new Error('the first caller left'));
    expect(await first).toBeInstanceOf(APIUserAbortError);
    holding = false;
    const tokenizer = await unsignalled;
    expect(tokenizer).not.toBeInstanceOf(Error);
    expect((tokenizer as { vocabSize: number }).vocabSize).toBe(256);
  });
});

import { afterEach, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { createKernel } from '../../../src/defaults/kernel.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { ValidationError } from '../../../src/kernel/errors/validation-error.js';
import type { PollProtocol } from '../../../src/ports/futures.js';
import { json, scriptedServer } from '../../support/scripted-server.js';

/**
 * What is checked once rather than twice per request still fails before anything leaves: a poll's
 * options (built by the kernel, not checked as a caller's) and an input a client validated just before
 * sending it.
 */
function protocol(overrides: Partial<PollProtocol<number>> = {}): PollProtocol<number> {
  return {
    pollEndpoint: 'poll_job',
    requestId: (body) => (body as { id: string }).id,
    pollInput: ({ requestId }) => ({ id: requestId }),
    read: (body) => ({ state: 'complete', value: (body as { result: number }).result }),
    onExpired: 'fail',
    ...overrides,
  };
}

function plugin(url: string, jobs: PollProtocol<number>) {
  return definePlugin({
    name: 'jobs',
    version: '1',
    defaults: { baseUrl: url, breaker: false, maxRetries: 0 },
    pollProtocols: { jobs },
    manifest: {
      name: 'jobs',
      version: '1',
      endpoints: [
        {
          id: 'start_job',
          method: 'POST',
          path: '/jobs',
          input: Type.Object({ n: Type.Integer({ minimum: 0 }) }),
          future: 'jobs',
        },
        { id: 'poll_job', method: 'POST', path: '/jobs/poll', input: Type.Object({ id: Type.String() }) },
        {
          id: 'other_job',
          method: 'POST',
          path: '/other',
          input: Type.Object({ n: Type.Integer({ minimum: 0 }) }),
        },
      ],
    },
  });
}

let closeAll: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closeAll.map((c) => c()));
  closeAll = [];
});

async function jobServer() {
  const server = await scriptedServer((req, res) => {
    if (req.path === '/jobs') return json(res, 200, { id: `job-${req.body.n}` });
    json(res, 200, { result: 7 });
  });
  closeAll.push(server.close);
  return server;
}

describe('checked once, still before sending', () => {
  it('a poll header that can never be sent fails the future with a ValidationError: no poll leaves', async () => {
    const server = await jobServer();
    const kernel = createKernel().use(
      plugin(server.url, protocol({ pollHeaders: () => ({ 'X-Note': 'line\r\nbreak' }) })),
    );
    const error = await kernel
      .submit('start_job', { n: 1 })
      .result()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      expect.objectContaining({ pointer: '/headers/x-note', rule: 'header-value' }),
    ]);
    expect(server.seen.map((s) => s.path)).toEqual(['/jobs']);
    await kernel.close();
  });

  it('a poll timeout that is not a duration fails when the plugin registers', () => {
    for (const pollTimeoutMs of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      let error: unknown;
      try {
        createKernel().use(plugin('http://127.0.0.1:9', protocol({ pollTimeoutMs })));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([
        expect.objectContaining({ pointer: expect.stringContaining('jobs/pollTimeoutMs') }),
      ]);
    }
  });

  it('validateInput(…, { sending: true }) spares that object’s first call the schema, and only that call', async () => {
    const server = await jobServer();
    const kernel = createKernel().use(plugin(server.url, protocol()));
    // A bad input is refused and marks nothing: its call is checked (and refused) again.
    const bad = { n: -1 };
    expect(() => kernel.validateInput('start_job', bad, { sending: true })).toThrow(ValidationError);
    await expect(kernel.call('start_job', bad as never)).rejects.toThrow(ValidationError);
    // Checked for sending: the first call of that object is not checked again (the caller owns it and
    // changes nothing in between; a change it makes anyway goes out as it is).
    const input = { n: 1 };
    kernel.validateInput('start_job', input, { sending: true });
    input.n = -2;
    await kernel.call('start_job', input as never);
    expect(server.seen.map((s) => s.body)).toEqual([{ n: -2 }]);
    // A second call of the same object, and a call of another endpoint, are checked.
    await expect(kernel.call('start_job', input as never)).rejects.toThrow(ValidationError);
    const other = { n: 1 };
    kernel.validateInput('start_job', other, { sending: true });
    other.n = -3;
    await expect(kernel.call('other_job', other as never)).rejects.toThrow(ValidationError);
    // Without `sending`, nothing is spared.
    const plain = { n: 1 };
    kernel.validateInput('start_job', plain);
    plain.n = -4;
    await expect(kernel.call('start_job', plain as never)).rejects.toThrow(ValidationError);
    expect(server.seen).toHaveLength(1);
    await kernel.close();
  });
});

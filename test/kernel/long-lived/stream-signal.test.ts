import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { scriptedServer } from '../../support/scripted-server.js';
import { feedKernel } from '../../support/feed-kernel.js';

/*
 * A caller may pass one signal (a job's) to every stream it opens for hours. Node 20's AbortSignal.any
 * keeps an entry per stream in that signal's dependants until it aborts, so each stream grew the heap
 * for good; a stream now links to the caller's signal and lets go of it when it ends.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  jest.restoreAllMocks();
  for (const c of cleanups.splice(0)) await c();
});

describe('a stream opened with a long-lived caller signal', () => {
  it('leaves nothing on that signal once it ends, and still stops when it aborts', async () => {
    const server = await scriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {"n":1}\n\ndata: [DONE]\n\n');
    });
    cleanups.push(server.close);
    const kernel = feedKernel(server.url, { terminator: '[DONE]' }, { logLevel: 'off' });
    cleanups.push(() => kernel.close());
    const any = jest.spyOn(AbortSignal, 'any');
    const job = new AbortController();
    for (let i = 0; i < 20; i++) {
      const got: unknown[] = [];
      for await (const event of kernel.stream('ticks', undefined as never, { signal: job.signal }))
        got.push(event);
      expect(got).toEqual([{ n: 1 }]);
    }
    expect(any).not.toHaveBeenCalled();
    expect(getEventListeners(job.signal, 'abort')).toHaveLength(0);

    const events = kernel.stream('ticks', undefined as never, { signal: job.signal })[Symbol.asyncIterator]();
    job.abort();
    await expect(events.next()).rejects.toMatchObject({ name: 'APIUserAbortError' });
  });
});

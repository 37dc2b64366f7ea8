import { describe, expect, it } from '@jest/globals';
import { recordingTinkerKernel } from '../support/recording-tinker-kernel.js';

// The kernel sends an empty body with no Content-Type (Fastify refuses an empty `application/json`
// body). Tinkex keeps the Python SDK's wire: its default `Content-Type: application/json` on every
// POST and DELETE, including those with no body. A GET carries none (tinker-wire-0.25.md §3: "GET drops
// Content-Type"): found by diffing the official 0.25.0 client's requests with Tinkex's against the emulator.
describe('Tinkex calls with no body', () => {
  it('still send Content-Type: application/json with an empty body, as the Python SDK does', async () => {
    const { kernel, seen } = recordingTinkerKernel({ contentType: 'text/plain', body: '' });
    const checkpoint = { training_run_id: 'run-1', checkpoint_id: 'weights/step-1' };
    await kernel.call('delete_checkpoint', checkpoint);
    await kernel.call('publish_checkpoint', checkpoint);
    expect(seen.map((r) => [r.method, r.headers['content-type'], (r.body as Uint8Array).byteLength])).toEqual(
      [
        ['DELETE', 'application/json', 0],
        ['POST', 'application/json', 0],
      ],
    );
    await kernel.close();
  });

  it('send no Content-Type on a GET, as the Python SDK does (its GETs drop it)', async () => {
    const { kernel, seen } = recordingTinkerKernel({ contentType: 'application/json', body: '{}' });
    // Only the requests matter here: the answer `{}` fails the response schemas.
    const ignore = () => undefined;
    await kernel.call('get_training_run', { training_run_id: 'run-1' }).catch(ignore);
    await kernel.call('list_checkpoints', { training_run_id: 'run-1' }).catch(ignore);
    expect(seen.map((r) => [r.method, r.headers['content-type']])).toEqual([
      ['GET', undefined],
      ['GET', undefined],
    ]);
    await kernel.close();
  });
});

import { describe, expect, it } from '@jest/globals';
import { recordingTinkerKernel } from '../support/recording-tinker-kernel.js';

// The kernel sends an empty body with no Content-Type (Fastify refuses an empty `application/json`
// body). Tinkex keeps the Python SDK's wire: its default `Content-Type: application/json` on every
// POST and DELETE, including those with no body.
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
});

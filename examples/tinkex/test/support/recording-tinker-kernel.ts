import { InMemoryTransport, Ports, type TransportRequest } from 'pristine-kernel';
import { createTinkerKernel, type TinkerKernel } from '../../src/client/tinker-kernel.js';
import { resolveConfig } from '../../src/config.js';

/**
 * A Tinker kernel (JSON protocol, no telemetry) whose transport records every request it is given and
 * answers each with `answer`: for what Tinkex puts on the wire, without a server.
 */
export function recordingTinkerKernel(answer: { contentType: string; body: string }): {
  kernel: TinkerKernel;
  seen: TransportRequest[];
} {
  const seen: TransportRequest[] = [];
  const kernel = createTinkerKernel(
    resolveConfig({ env: { TINKER_API_KEY: 'tml-x' }, protocol: 'legacy', telemetry: false }),
    (k) =>
      k.register(
        Ports.Transport,
        new InMemoryTransport((request) => {
          seen.push(request);
          return { status: 200, headers: { 'content-type': answer.contentType }, body: answer.body };
        }),
      ),
  );
  return { kernel, seen };
}

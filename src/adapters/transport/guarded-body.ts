import type { TransportRequest } from '../../ports/transport.js';
import type { AttemptDeadline } from './attempt-deadline.js';
import { toTransportError } from './transport-errors.js';

/**
 * A library's response body as the port's: its failures typed (a cut body says so, after how many
 * bytes), and the attempt's deadline released once it is read, failed or left. Counting is one add
 * per chunk.
 */
export async function* guardedBody(
  body: AsyncIterable<Uint8Array>,
  request: TransportRequest,
  deadline: AttemptDeadline,
  headers: Record<string, string>,
): AsyncIterable<Uint8Array> {
  let received = 0;
  try {
    for await (const chunk of body) {
      received += chunk.byteLength;
      yield chunk;
    }
  } catch (error) {
    throw toTransportError(error as Error, request, deadline, { received, headers });
  } finally {
    deadline.release();
  }
}

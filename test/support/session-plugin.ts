import { Type, type TSchema } from '@sinclair/typebox';

/**
 * The session protocol the kernel's session tests share: `open` answers `{ id }`, `beat` takes it back,
 * a beat every 10 s with a 5 s timeout (long enough that a test drives every beat with its own clock).
 */
export const beatingSessionProtocol = {
  createEndpoint: 'open',
  sessionId: (body: unknown) => (body as { id: string }).id,
  heartbeatEndpoint: 'beat',
  heartbeatInput: (id: string) => ({ id }),
  intervalMs: 10_000,
  heartbeatTimeoutMs: 5_000,
};

/** The two endpoints `beatingSessionProtocol` names; `openInput` is what `sessions.open` must be given. */
export function sessionEndpoints<I extends TSchema>(openInput: I) {
  return [
    { id: 'open', method: 'POST', path: '/open', input: openInput },
    { id: 'beat', method: 'POST', path: '/beat', input: Type.Object({ id: Type.String() }) },
  ] as const;
}

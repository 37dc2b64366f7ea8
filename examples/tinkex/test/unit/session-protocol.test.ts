import { describe, expect, it } from '@jest/globals';
import { CaptureLogger } from 'pristine-kernel';
import { tinkerSessionProtocol } from '../../src/plugin/session-protocol.js';

// The create_session answer as the protocol reads it: typed from the manifest (no casts), yet read as it
// arrived, since with response validation off or warning the server's fields may be of any type.
describe('the Tinker session protocol', () => {
  it('reads the session id and logs the server messages at their levels', () => {
    const logger = new CaptureLogger();
    const protocol = tinkerSessionProtocol(10_000, () => logger);
    const created = { session_id: 's1', info_message: 'hi', warning_message: 'slow', error_message: 'bad' };
    expect(protocol.sessionId(created)).toBe('s1');
    protocol.onCreated!(created);
    expect(logger.records.map((r) => [r.level, r.message])).toEqual([
      ['info', 'hi'],
      ['warn', 'slow'],
      ['error', 'bad'],
    ]);
    expect(protocol.heartbeatInput('s1')).toEqual({ session_id: 's1' });
  });

  it('skips empty, null and non-string messages, and a body that is no object', () => {
    const logger = new CaptureLogger();
    const protocol = tinkerSessionProtocol(10_000, () => logger);
    protocol.onCreated!({ session_id: 's1', info_message: '', warning_message: null });
    protocol.onCreated!({ session_id: 's1', error_message: 7 } as never);
    protocol.onCreated!(null as never);
    expect(logger.records).toEqual([]);
  });
});

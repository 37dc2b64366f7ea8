import { describe, expect, it } from '@jest/globals';
import { JsonLogger, type JsonLoggerOptions } from '../../../src/adapters/logger/json-logger.js';
import { REDACTED, SecretRegistry } from '../../../src/kernel/redact.js';

function capture(options: JsonLoggerOptions = {}) {
  const chunks: string[] = [];
  const logger = new JsonLogger({
    stream: { write: (chunk: string) => chunks.push(chunk) },
    now: () => Date.UTC(2030, 0, 2, 3, 4, 5),
    ...options,
  });
  return { logger, chunks, records: () => chunks.map((c) => JSON.parse(c) as Record<string, unknown>) };
}

describe('JsonLogger', () => {
  it('writes one JSON object per line with time, level, message, then fields', () => {
    const { logger, chunks } = capture({ level: 'info' });
    logger.info('call finished', { endpointId: 'things.list', status: 200 });
    expect(chunks).toEqual([
      '{"time":"2030-01-02T03:04:05.000Z","level":"info","message":"call finished","endpointId":"things.list","status":200}\n',
    ]);
  });

  it('filters below its level and writes nothing when off', () => {
    const { logger, records } = capture({ level: 'warn' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(records().map((r) => r.level)).toEqual(['warn', 'error']);

    const off = capture({ level: 'off' });
    off.logger.error('e');
    expect(off.chunks).toEqual([]);
  });

  it('takes its level from the env var the plugin names, over the configured level', () => {
    const { logger, records } = capture({
      level: 'error',
      envVar: 'MYSDK_LOG',
      env: { MYSDK_LOG: ' DEBUG ' },
    });
    expect(logger.level).toBe('debug');
    logger.debug('visible');
    expect(records()).toHaveLength(1);
    expect(capture({ envVar: 'MYSDK_LOG', env: {} }).logger.level).toBe('warn');
  });

  it('reports an invalid env value once and keeps the configured level', () => {
    const { logger, records } = capture({ level: 'info', envVar: 'MYSDK_LOG', env: { MYSDK_LOG: 'loud' } });
    expect(logger.level).toBe('info');
    expect(records()).toEqual([
      {
        time: '2030-01-02T03:04:05.000Z',
        level: 'warn',
        // As Tinkex words a variable it cannot read: name, value, what it accepts and uses instead.
        message: 'MYSDK_LOG="loud" is not understood (accepted: debug, info, warn, error, off); using info',
      },
    ]);
  });

  // Found by hand (round 25): a program with three clients and `TINKER_LOG=loud` printed the same line
  // three times (one per client's logger). Once per process per variable and value, as Tinkex's own
  // variables; the level falls back in every logger all the same. (A name no other test uses: the
  // record of what was said is the module's, so per test file.)
  it('reports an invalid env value once per process, however many loggers read it', () => {
    const lines = (value: string) => {
      const { logger, chunks } = capture({ level: 'info', envVar: 'ONCE_LOG', env: { ONCE_LOG: value } });
      expect(logger.level).toBe('info');
      return chunks.length;
    };
    // A logger that writes no warnings leaves the report to the next one.
    expect(capture({ level: 'off', envVar: 'ONCE_LOG', env: { ONCE_LOG: 'loud' } }).chunks).toEqual([]);
    expect([lines('loud'), lines('loud'), lines(' loud '), lines('louder'), lines('louder')]).toEqual([
      1, 0, 0, 1, 0,
    ]);
  });

  it('redacts fields and scrubs registered secrets from the message and every string', () => {
    const secrets = new SecretRegistry();
    secrets.add('key-abcdef-123456');
    const { logger, chunks, records } = capture({ level: 'debug', secrets });
    logger.warn('auth failed for key-abcdef-123456', {
      apiKey: 'key-abcdef-123456',
      detail: { reason: 'sent Bearer tok.en and key-abcdef-123456' },
      url: 'https://u:p@api.example.com/x?token=t',
    });
    expect(chunks.join('')).not.toContain('key-abcdef-123456');
    expect(records()[0]).toMatchObject({
      message: `auth failed for ${REDACTED}`,
      apiKey: REDACTED,
      detail: { reason: `sent Bearer ${REDACTED} and ${REDACTED}` },
      url: `https://***:***@api.example.com/x?token=${REDACTED}`,
    });
  });

  it('drops header dumps unless logHeaders is on, and then redacts them', () => {
    const headers = { authorization: 'Bearer abc', 'x-session': 'sess', 'content-type': 'text/plain' };
    const quiet = capture({ level: 'debug' });
    quiet.logger.debug('request', { headers, method: 'GET' });
    expect(quiet.records()[0]).not.toHaveProperty('headers');
    expect(quiet.records()[0]).toHaveProperty('method', 'GET');

    const loud = capture({ level: 'debug', logHeaders: true, secretHeaders: ['X-Session'] });
    loud.logger.debug('request', { requestHeaders: headers });
    expect(loud.records()[0]!.requestHeaders).toEqual({
      authorization: REDACTED,
      'x-session': REDACTED,
      'content-type': 'text/plain',
    });
  });

  it('does not let a field shadow the record’s level or message', () => {
    const { logger, records } = capture({ level: 'debug' });
    logger.debug('real', { level: 'error', message: 'fake', time: 0 });
    expect(records()[0]).toMatchObject({ level: 'debug', message: 'real', time: '2030-01-02T03:04:05.000Z' });
  });

  it('never throws: not for a failing stream, nor for unserialisable fields', () => {
    const broken = new JsonLogger({
      level: 'debug',
      stream: {
        write() {
          throw new Error('EPIPE');
        },
      },
    });
    expect(() => broken.error('x')).not.toThrow();

    const { logger, records } = capture({ level: 'debug' });
    const cyclic: Record<string, unknown> = { big: 10n };
    cyclic.self = cyclic;
    expect(() => logger.info('cyclic', { cyclic })).not.toThrow();
    expect(records()[0]).toMatchObject({ cyclic: { big: '10', self: '[Circular]' } });
  });

  it('logs errors as name, message, status and cause', () => {
    const { logger, records } = capture({ level: 'debug' });
    const error = Object.assign(new Error('boom', { cause: new TypeError('inner') }), { status: 503 });
    logger.error('call failed', { error });
    expect(records()[0]!.error).toEqual({
      name: 'Error',
      message: 'boom',
      status: 503,
      cause: { name: 'TypeError', message: 'inner' },
    });
  });
});

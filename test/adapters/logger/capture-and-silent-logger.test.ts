import { describe, expect, it } from '@jest/globals';
import { CaptureLogger } from '../../../src/adapters/logger/capture-logger.js';
import { SilentLogger } from '../../../src/adapters/logger/silent-logger.js';
import { REDACTED, Secret, SecretRegistry } from '../../../src/kernel/redact.js';
import type { Logger } from '../../../src/ports/logger.js';

describe('CaptureLogger', () => {
  it('keeps records in order with their level, message and redacted fields', () => {
    const secrets = new SecretRegistry();
    secrets.add('sk-capture-0001');
    const logger: Logger = new CaptureLogger({ secrets });
    logger.debug('a', { n: 1 });
    logger.error('b sk-capture-0001', { token: new Secret('sk-capture-0001') });
    const capture = logger as CaptureLogger;
    expect(capture.records).toEqual([
      { level: 'debug', message: 'a', fields: { n: 1 } },
      { level: 'error', message: `b ${REDACTED}`, fields: { token: REDACTED } },
    ]);
    expect(capture.text()).not.toContain('sk-capture-0001');
    expect(capture.at('error')).toHaveLength(1);
    capture.clear();
    expect(capture.records).toEqual([]);
  });

  it('honours its level', () => {
    const logger = new CaptureLogger({ level: 'error' });
    logger.warn('dropped');
    logger.error('kept');
    expect(logger.records.map((r) => r.message)).toEqual(['kept']);
  });

  it('copies fields, so later mutation by the caller does not rewrite history', () => {
    const logger = new CaptureLogger();
    const fields = { attempt: 1 };
    logger.info('try', fields);
    fields.attempt = 2;
    expect(logger.records[0]!.fields).toEqual({ attempt: 1 });
  });
});

describe('SilentLogger', () => {
  it('is off and accepts every call', () => {
    const logger: Logger = new SilentLogger();
    expect(logger.level).toBe('off');
    expect(() => logger.error('x', { a: 1 })).not.toThrow();
  });
});

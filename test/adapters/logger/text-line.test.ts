import { describe, expect, it } from '@jest/globals';
import { JsonLogger } from '../../../src/adapters/logger/json-logger.js';
import { textLine } from '../../../src/adapters/logger/text-line.js';
import { REDACTED, SecretRegistry } from '../../../src/kernel/redact.js';

/** A JsonLogger writing human-readable lines (what a CLI shows on a terminal). */
function textLogger(level: 'debug' | 'info' | 'warn', secrets?: SecretRegistry) {
  const lines: string[] = [];
  const logger = new JsonLogger({
    level,
    secrets,
    logHeaders: true,
    write: (line) => lines.push(line),
    format: textLine('mycli'),
  });
  return { logger, lines };
}

describe('textLine: log records as lines for people', () => {
  it('an info record is its message alone; warn and error add their fields as JSON', () => {
    const { logger, lines } = textLogger('info');
    logger.info('retrying list_runs in 0.5 s after Connection error (retry 1 of 10)', {
      attempt: 1,
      delay_ms: 480,
    });
    logger.warn('heartbeats failing', { failingForMs: 120_000 });
    logger.error('gave up');
    expect(lines).toEqual([
      'mycli: retrying list_runs in 0.5 s after Connection error (retry 1 of 10)',
      'mycli warning: heartbeats failing {"failingForMs":120000}',
      'mycli error: gave up',
    ]);
  });

  it('a debug record carries its fields, headers redacted', () => {
    const { logger, lines } = textLogger('debug');
    logger.debug('request GET http://h/x', { attempt: 1, headers: { 'x-api-key': 'tml-abc', accept: 'a' } });
    expect(lines).toEqual([
      `mycli debug: request GET http://h/x {"attempt":1,"headers":{"x-api-key":"${REDACTED}","accept":"a"}}`,
    ]);
  });

  it('scrubs registered secrets from the message and the fields, like the JSON lines', () => {
    const secrets = new SecretRegistry();
    secrets.add('tml-0123456789abcdef');
    const { logger, lines } = textLogger('debug', secrets);
    logger.warn('refused tml-0123456789abcdef', { detail: 'key tml-0123456789abcdef' });
    expect(lines.join('\n')).not.toContain('tml-0123456789abcdef');
    expect(lines).toEqual([`mycli warning: refused ${REDACTED} {"detail":"key ${REDACTED}"}`]);
  });

  it('keeps one record on one line: newlines in a message are escaped', () => {
    const { logger, lines } = textLogger('info');
    logger.info('first\nsecond');
    expect(lines).toEqual(['mycli: first\\nsecond']);
  });
});

describe('textLine: what a terminal would act on is shown, not obeyed', () => {
  it('escape sequences, carriage returns, bells and C1 controls in a message become visible', () => {
    const { logger, lines } = textLogger('warn');
    // A server-supplied message that would clear the line and recolour the terminal if printed raw.
    logger.warn('ok\r\u001b[2Kfake line\u0007\u009b31m', { detail: 'tab\there \u001b]0;title\u0007' });
    expect(lines).toEqual([
      'mycli warning: ok␍␛[2Kfake line␇\\x9b31m {"detail":"tab\\there \\u001b]0;title\\u0007"}',
    ]);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(lines[0]).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});

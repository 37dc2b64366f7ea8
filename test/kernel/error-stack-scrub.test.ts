import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { statusError } from '../../src/kernel/errors/api-errors.js';
import { scrubError } from '../../src/kernel/errors/error-secrets.js';
import { SecretRegistry } from '../../src/kernel/redact.js';

const KEY = 'sk-stack-0123456789abcdef';

function echoing() {
  return statusError(503, `503 upstream said ${KEY}`, { headers: {}, body: { detail: KEY } });
}

describe('a scrubbed error’s stack, whenever it is read', () => {
  it('starts with the scrubbed message, keeps its frames and hides the secret', () => {
    const secrets = new SecretRegistry();
    secrets.add(KEY);
    const error = scrubError(echoing(), secrets);
    expect(error.stack).toMatch(/^InternalServerError: 503 upstream said \[REDACTED\]\n\s+at /);
    expect(error.stack).not.toContain(KEY);
    expect(inspect(error)).not.toContain(KEY);
    expect(Object.keys(error)).not.toContain('stack');
    expect(JSON.stringify(error)).not.toContain(KEY);
  });

  it('hides the secret from a stack already read (formatted) before the scrub', () => {
    const secrets = new SecretRegistry();
    secrets.add(KEY);
    const error = echoing();
    expect(error.stack).toContain(KEY); // formatted now, with the secret in its first line
    scrubError(error, secrets);
    scrubError(error, secrets); // scrubbed again on its way out (retry, then errors stage)
    expect(error.stack).toMatch(/^InternalServerError: 503 upstream said \[REDACTED\]\n\s+at /);
  });

  it('keeps a stack the user sets', () => {
    const secrets = new SecretRegistry();
    const error = scrubError(echoing(), secrets);
    error.stack = 'custom stack';
    expect(error.stack).toBe('custom stack');
    expect(Object.keys(error)).not.toContain('stack');
  });
});

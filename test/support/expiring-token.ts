import type { AuthRefusal, AuthScheme } from '../../src/ports/auth.js';

/**
 * A credential that lapses once, for renew-and-resend tests: `tok-1` until a server refuses it, then
 * `tok-2`. Concurrent refusals of the same token renew it once.
 */
export class ExpiringToken implements AuthScheme {
  readonly name = 'expiring';
  readonly secretHeaders = ['authorization'] as const;
  token = 'tok-1';
  apply(headers: Record<string, string>): void {
    headers.authorization = `Bearer ${this.token}`;
  }
  identity(): string {
    return 'expiring';
  }
  async renew(refused: AuthRefusal): Promise<boolean> {
    if (refused.headers.authorization === `Bearer ${this.token}`) this.token = 'tok-2';
    return true;
  }
}

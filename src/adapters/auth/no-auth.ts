import type { AuthScheme } from '../../ports/auth.js';

/** For public endpoints. */
export class NoAuth implements AuthScheme {
  readonly name = 'none';
  readonly secretHeaders = [] as const;
  apply(): void {}
  identity(): string {
    return 'anonymous';
  }
}

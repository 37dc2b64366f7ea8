/** One future the server holds. */
interface StoredFuture {
  state: 'pending' | 'done' | 'failed';
  result?: unknown;
  error?: { error: string; category: 'user' | 'server' | 'unknown' };
  /** Results are kept until delivered, then for `ttlMs` (a poll that timed out client-side can re-poll). */
  deliveredAt?: number;
  size?: number;
}

/**
 * The future store. A result's expiry clock starts only once it was delivered, so a client whose poll
 * was abandoned can poll again (the SkyRL lesson).
 */
export class FutureStore {
  private readonly futures = new Map<string, StoredFuture>();
  private counter = 0;

  constructor(
    private readonly now: () => number,
    private readonly ttlMs: number,
  ) {}

  create(): string {
    const id = `req-${++this.counter}`;
    this.futures.set(id, { state: 'pending' });
    return id;
  }

  complete(id: string, result: unknown): void {
    const f = this.futures.get(id);
    if (f) Object.assign(f, { state: 'done', result, size: undefined });
  }

  fail(id: string, message: string, category: 'user' | 'server' | 'unknown'): void {
    const f = this.futures.get(id);
    if (f) Object.assign(f, { state: 'failed', error: { error: message, category } });
  }

  /** What a poll sees: the future, `expired` once its TTL after delivery passed, or `missing`. */
  lookup(id: string): StoredFuture | 'expired' | 'missing' {
    const f = this.futures.get(id);
    if (!f) return 'missing';
    if (f.deliveredAt !== undefined && this.now() - f.deliveredAt > this.ttlMs) {
      this.futures.delete(id);
      return 'expired';
    }
    return f;
  }

  markDelivered(id: string): void {
    const f = this.futures.get(id);
    if (f && f.deliveredAt === undefined) f.deliveredAt = this.now();
  }

  get size(): number {
    return this.futures.size;
  }
}

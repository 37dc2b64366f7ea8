/** A clock whose time and timers move only when the test says so (the emulator's `clock` option). */
export class ManualClock {
  private time = Date.UTC(2026, 0, 1);
  private timers: { due: number; fn: () => void }[] = [];

  now(): number {
    return this.time;
  }

  after(ms: number, fn: () => void): () => void {
    const timer = { due: this.time + ms, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Move time on and fire the timers that fell due. */
  advance(ms: number): void {
    this.time += ms;
    const due = this.timers.filter((t) => t.due <= this.time);
    this.timers = this.timers.filter((t) => t.due > this.time);
    for (const t of due) t.fn();
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Resolve once `count` timers are pending (requests reached their waits), checking once per event-loop turn. */
  async untilTimer(count = 1): Promise<void> {
    for (let i = 0; i < 100_000 && this.timers.length < count; i++) await new Promise((r) => setImmediate(r));
    if (this.timers.length < count) throw new Error(`fewer than ${count} timers were set`);
  }
}

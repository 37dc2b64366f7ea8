import diagnostics_channel from 'node:diagnostics_channel';
import type { BreakerStateChange } from '../ports/circuit-breaker.js';

/** Every kernel event and its payload. */
export interface KernelEventMap {
  'request:start': { endpointId: string; method: string; url: string; attempt: number };
  'request:retry': { endpointId: string; attempt: number; delayMs: number; error: unknown };
  'request:stop': { endpointId: string; status: number; durationMs: number; attempts: number };
  'request:error': { endpointId: string; error: unknown };
  'breaker:state': BreakerStateChange;
  'ratelimit:wait': { bucket: string; waitMs: number };
  'queue:state': { requestId: string; queueState: string; reason?: string };
  'session:heartbeat-failed': { sessionId: string; failingForMs: number };
  [custom: `x:${string}`]: unknown;
}

export type KernelEventName = keyof KernelEventMap;

/**
 * A typed emitter, bridged to `diagnostics_channel` (`pristine:<event>`). A throwing listener never
 * breaks the request that emitted the event.
 */
export class KernelEvents {
  private readonly listeners = new Map<string, Set<(payload: never) => void>>();
  private readonly channels = new Map<string, diagnostics_channel.Channel>();

  on<K extends KernelEventName>(name: K, listener: (payload: KernelEventMap[K]) => void): () => void {
    let set = this.listeners.get(name as string);
    if (!set) this.listeners.set(name as string, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set!.delete(listener as (payload: never) => void);
  }

  emit<K extends KernelEventName>(name: K, payload: KernelEventMap[K]): void {
    const set = this.listeners.get(name as string);
    if (set) {
      for (const listener of [...set]) {
        try {
          (listener as (p: KernelEventMap[K]) => void)(payload);
        } catch {
          // Observability must never fail a request.
        }
      }
    }
    let channel = this.channels.get(name as string);
    if (!channel)
      this.channels.set(name as string, (channel = diagnostics_channel.channel(`pristine:${String(name)}`)));
    if (channel.hasSubscribers) {
      try {
        channel.publish(payload);
      } catch {
        /* subscriber errors are theirs */
      }
    }
  }
}

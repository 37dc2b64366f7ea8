import diagnostics_channel from 'node:diagnostics_channel';
import type { BreakerStateChange } from '../ports/circuit-breaker.js';

/**
 * Every kernel event and its payload. Plugins add their own under the `x:` prefix (payload
 * `unknown`), or type them by augmenting this interface:
 * `declare module 'pristine-kernel' { interface KernelEventMap { 'x:mysdk:upload': { bytes: number } } }`.
 */
export interface KernelEventMap {
  /** `url` is already redacted. */
  'request:start': { endpointId: string; method: string; url: string; attempt: number };
  'request:retry': { endpointId: string; attempt: number; delayMs: number; error: unknown };
  'request:stop': { endpointId: string; status: number; durationMs: number; attempts: number };
  /** `status` when the server answered (an HTTP error), absent for connection errors. */
  'request:error': { endpointId: string; error: unknown; durationMs?: number; status?: number };
  'breaker:state': BreakerStateChange;
  'ratelimit:wait': { bucket: string; waitMs: number };
  'queue:state': { requestId: string; queueState: string; reason?: string };
  'session:heartbeat-failed': { sessionId: string; failingForMs: number };
  /** A polled future settled: `durationMs` from the first poll to the result, `polls` sent. */
  'future:settled': { endpointId: string; outcome: 'ok' | 'error'; durationMs: number; polls: number };
  [custom: `x:${string}`]: unknown;
}

export type KernelEventName = keyof KernelEventMap;
export type KernelEventListener<K extends KernelEventName> = (payload: KernelEventMap[K]) => void;

/** Prefix of the `diagnostics_channel` names: `pristine:request:start`, … */
export const CHANNEL_PREFIX = 'pristine:';

export interface KernelEventsOptions {
  /**
   * Told about a throwing listener, once per listener (a listener that throws on every request would
   * otherwise flood the log). Default: ignore.
   */
  onListenerError?(error: unknown, event: string): void;
}

type AnyListener = (payload: unknown) => void;

/**
 * The kernel's typed event emitter, bridged to `diagnostics_channel`. Listeners run synchronously in
 * subscription order; a throwing listener never breaks `emit` (nor the request that emitted) and
 * never stops the listeners after it. Each event is also published on the channel
 * `pristine:<event>`, but only when that channel has subscribers, so an unobserved emit costs a map
 * lookup and a boolean check.
 */
export class KernelEvents {
  // Copy-on-write arrays: emit iterates without copying, and (un)subscribing during an emit does not
  // change which listeners that emit calls.
  readonly #listeners = new Map<string, readonly AnyListener[]>();
  readonly #channels = new Map<string, diagnostics_channel.Channel>();
  readonly #reported = new WeakSet<AnyListener>();

  constructor(private readonly options: KernelEventsOptions = {}) {}

  /** Subscribe; returns an idempotent unsubscribe function. */
  on<K extends KernelEventName>(name: K, listener: KernelEventListener<K>): () => void {
    const key = name as string;
    // A wrapper per subscription, so the same function subscribed twice is two subscriptions.
    const entry: AnyListener = (payload) => (listener as AnyListener)(payload);
    this.#listeners.set(key, [...(this.#listeners.get(key) ?? []), entry]);
    return () => {
      const current = this.#listeners.get(key);
      if (!current?.includes(entry)) return;
      const rest = current.filter((l) => l !== entry);
      if (rest.length > 0) this.#listeners.set(key, rest);
      else this.#listeners.delete(key);
    };
  }

  /** Subscribe for the next event only. */
  once<K extends KernelEventName>(name: K, listener: KernelEventListener<K>): () => void {
    const off = this.on(name, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  /** True when an `emit` of this event would reach anyone, so callers can skip building its payload. */
  observed(name: KernelEventName): boolean {
    return this.#listeners.has(name as string) || this.#channel(name as string).hasSubscribers;
  }

  listenerCount(name: KernelEventName): number {
    return this.#listeners.get(name as string)?.length ?? 0;
  }

  emit<K extends KernelEventName>(name: K, payload: KernelEventMap[K]): void {
    const key = name as string;
    const listeners = this.#listeners.get(key);
    if (listeners) for (const listener of listeners) this.#call(listener, key, payload);
    const channel = this.#channel(key);
    if (channel.hasSubscribers) {
      try {
        channel.publish(payload);
      } catch {
        // Node reports subscriber errors itself; observability must never fail a request.
      }
    }
  }

  #call(listener: AnyListener, name: string, payload: unknown): void {
    try {
      listener(payload);
    } catch (error) {
      if (this.#reported.has(listener)) return;
      this.#reported.add(listener);
      try {
        this.options.onListenerError?.(error, name);
      } catch {
        /* the reporter failing is no reason to fail the request either */
      }
    }
  }

  #channel(name: string): diagnostics_channel.Channel {
    let channel = this.#channels.get(name);
    if (!channel) {
      // Holding the Channel keeps it alive: node only holds channels weakly.
      channel = diagnostics_channel.channel(CHANNEL_PREFIX + name);
      this.#channels.set(name, channel);
    }
    return channel;
  }
}

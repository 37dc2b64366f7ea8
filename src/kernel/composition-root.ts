import type { DependencyContainer } from 'tsyringe';
import type { SemaphoreFactory } from '../ports/semaphore.js';
import type { KernelEvents } from './events.js';
import type { SecretRegistry } from './redact.js';
import type { KernelSettings } from './services.js';
import type { SharedStateOptions } from './shared-state-options.js';

/** What a kernel tells its composition root about itself when it binds the default adapters. */
export interface DefaultAdapterContext {
  settings: KernelSettings;
  events: KernelEvents;
  secrets: SecretRegistry;
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'off';
  /** The env var a registered plugin names for the log level (read when the logger is first built). */
  logLevelEnv?: () => string | undefined;
}

/**
 * Which adapters a kernel starts with. The kernel knows ports only; the package entry passes the
 * default root (src/defaults/), so a kernel built without it has no adapter it did not ask for.
 * Everything here runs once per kernel, at construction (and `localSemaphores` once per connection
 * gate), never per call.
 */
export interface CompositionRoot {
  /**
   * Bind an adapter to every port, each built when first resolved. Factories resolve their own
   * dependencies from the container, so overriding the Clock also changes the clock retry uses.
   */
  bindDefaults(container: DependencyContainer, context: DefaultAdapterContext): void;
  /**
   * The `shared` option: bind fleet-wide RateLimiter, Semaphore and CircuitBreaker adapters in place of
   * the in-process ones (plugins and `kernel.register` may still override them). Returns how to let go
   * of the shared state: on `kernel.close()`, and once a kernel never closed is collected.
   */
  bindShared(
    container: DependencyContainer,
    options: SharedStateOptions,
    context: { events: KernelEvents; secrets: SecretRegistry },
  ): SharedStateClosers;
  /**
   * In-process FIFO semaphores, whatever the Semaphore port is bound to: the connection gate mirrors
   * this process's connection pool, so neither a fleet's Redis nor a plugin's semaphore may hold it.
   */
  readonly localSemaphores: SemaphoreFactory;
}

/** How a kernel lets go of its `shared` state. */
export interface SharedStateClosers {
  /** For `kernel.close()`: stop lease renewals, give back permits and queue places, close the connections. */
  close(): Promise<void>;
  /**
   * Once the kernel is collected without `close()`: close the connections. It must not reach the kernel
   * (or the kernel is never collected), and has nothing else to give back: a held permit or a waiter
   * keeps the kernel reachable until it is done.
   */
  closeForgotten(): Promise<void>;
}

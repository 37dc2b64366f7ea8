import type { DependencyContainer } from 'tsyringe';

/** An adapter instance, or a factory that builds it from the kernel's container. */
export type AdapterRegistration<T> = T | ((container: DependencyContainer) => T);

/** Bind an adapter to a port token; a factory runs once, on first resolve. */
export function bind<T>(
  container: DependencyContainer,
  token: symbol,
  adapter: AdapterRegistration<T>,
): void {
  if (typeof adapter === 'function') {
    let instance: T | undefined;
    container.register(token, {
      useFactory: (c) => (instance ??= (adapter as (c: DependencyContainer) => T)(c)),
    });
  } else {
    container.register(token, { useValue: adapter });
  }
}

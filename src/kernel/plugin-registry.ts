import { unknownEndpoint } from './errors/unknown-endpoint.js';
import type { CompiledEndpoint } from './manifest/compile.js';
import type { RegisteredPlugin } from './plugin.js';
import type { EndpointOwners } from './plugin-registration.js';

/** An endpoint, compiled, and the plugin that declares it. */
export interface EndpointEntry {
  plugin: RegisteredPlugin;
  endpoint: CompiledEndpoint;
}

/**
 * The plugins a kernel serves, by name, and their endpoints, by id: what `kernel.use` adds to (after
 * `preparePlugin` checked the names against it) and where every call finds its endpoint. An id no
 * plugin declares is refused with the declared one it most likely meant.
 */
export class PluginRegistry {
  private readonly byName = new Map<string, RegisteredPlugin>();
  private readonly byId = new Map<string, EndpointEntry>();

  get plugins(): ReadonlyMap<string, RegisteredPlugin> {
    return this.byName;
  }

  get endpoints(): EndpointOwners {
    return this.byId;
  }

  add(registered: RegisteredPlugin): void {
    this.byName.set(registered.spec.name, registered);
    for (const endpoint of registered.endpoints.values())
      this.byId.set(endpoint.id, { plugin: registered, endpoint });
  }

  /** The endpoint `endpointId` and its plugin; throws (naming the nearest id) when no plugin declares it. */
  entry(endpointId: string): EndpointEntry {
    const entry = this.byId.get(endpointId);
    if (!entry) throw unknownEndpoint(endpointId, this.byId.keys());
    return entry;
  }

  /** The connection pools the endpoints `ids` use (undefined: the default one; an unknown id has none). */
  poolsOf(ids: Iterable<string>): Set<string | undefined> {
    return new Set(
      [...ids].flatMap((id) => {
        const known = this.byId.get(id);
        return known ? [known.endpoint.spec.pool] : [];
      }),
    );
  }

  /** The first plugin's environment variable for the log level (`TINKER_LOG`), if any names one. */
  logLevelEnv(): string | undefined {
    return [...this.byName.values()].map((p) => p.spec.defaults?.logLevelEnv).find(Boolean);
  }
}

import type { ManifestSpec } from './manifest/types.js';
import type { SessionProtocols } from './manifest/session-protocols.js';
import type { Plugin, PluginSpec } from './plugin-contract.js';
import { printedRedacted } from './plugin-printing.js';

// The spec types live with the call context they refer to (one module, no cycle).
export type {
  RetryPolicySpec,
  ConcurrencySpec,
  ThrottledSpec,
  HeaderScheme,
  ErrorMapper,
  PluginDefaults,
  PluginSpec,
  Plugin,
  RegisteredPlugin,
} from './plugin-contract.js';

/**
 * What `definePlugin` returns: the plugin, and the session protocols it was given, typed and present
 * (`plugin.sessionProtocols.main`, which `kernel.sessions.open` takes with the create endpoint's input).
 */
export type DefinedPlugin<
  M extends ManifestSpec,
  Creates extends Record<string, string>,
  Beats extends Record<string, string>,
> = [keyof Creates] extends [never]
  ? Plugin<M>
  : Plugin<M> & { readonly sessionProtocols: Readonly<SessionProtocols<M, Creates, Beats>> };

/** Declare a plugin. The kernel validates it strictly when it is used. */
export function definePlugin<
  const M extends ManifestSpec,
  const Polls extends Record<string, string> = Record<never, never>,
  const Creates extends Record<string, string> = Record<never, never>,
  const Beats extends Record<string, string> = Record<never, never>,
>(spec: PluginSpec<M, Polls, Creates, Beats>): DefinedPlugin<M, Creates, Beats> {
  return Object.freeze(printedRedacted({ ...spec, __plugin: true as const })) as DefinedPlugin<
    M,
    Creates,
    Beats
  >;
}

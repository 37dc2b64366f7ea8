import type { ManifestSpec } from './manifest/types.js';
import type { Plugin, PluginSpec } from './plugin-contract.js';

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

/** Declare a plugin. The kernel validates it strictly when it is used. */
export function definePlugin<
  const M extends ManifestSpec,
  const Polls extends Record<string, string> = Record<never, never>,
  const Creates extends Record<string, string> = Record<never, never>,
  const Beats extends Record<string, string> = Record<never, never>,
>(spec: PluginSpec<M, Polls, Creates, Beats>): Plugin<M> {
  return Object.freeze({ ...spec, __plugin: true as const });
}

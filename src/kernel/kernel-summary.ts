import type { RegisteredPlugin } from './plugin.js';

/**
 * What `console.log(kernel)` and `JSON.stringify(kernel)` show: the plugins it serves and whether it
 * is closed. Never its adapters, settings or container: they hold credentials (a proxy's userinfo, the
 * password in a Redis URL, agents keyed by proxy URL) and, once calls ran, megabytes of state.
 */
export interface KernelSummary {
  plugins: string[];
  closed: boolean;
}

export function kernelSummary(plugins: Iterable<RegisteredPlugin>, closed: boolean): KernelSummary {
  return { plugins: [...plugins].map(({ spec }) => `${spec.name}@${spec.version}`), closed };
}

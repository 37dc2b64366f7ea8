import type { HeaderScheme } from '../plugin.js';
import { KERNEL_VERSION } from '../version.js';

const OS_NAMES: Record<string, string> = {
  darwin: 'MacOS',
  linux: 'Linux',
  win32: 'Windows',
  freebsd: 'FreeBSD',
};

/** Platform header values; computed once per process, since none of them change. */
const platformValues = Object.freeze({
  os: OS_NAMES[process.platform] ?? `Other:${process.platform}`,
  arch: process.arch,
  runtime: 'node',
  runtimeVersion: process.version,
  language: 'js',
});

/** Static headers for one plugin: User-Agent, platform headers and the plugin's own static headers. */
export function staticHeaders(
  pluginName: string,
  pluginVersion: string,
  scheme: HeaderScheme | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {
    'user-agent':
      scheme?.userAgent ??
      `${pluginName}/${pluginVersion} pristine/${KERNEL_VERSION} node/${process.version}`,
    accept: 'application/json',
  };
  for (const [kind, name] of Object.entries(scheme?.platform ?? {})) {
    if (!name) continue;
    headers[name.toLowerCase()] =
      kind === 'packageVersion' ? pluginVersion : platformValues[kind as keyof typeof platformValues];
  }
  for (const [name, value] of Object.entries(scheme?.static ?? {})) headers[name.toLowerCase()] = value;
  return headers;
}

import type { DependencyContainer } from 'tsyringe';
import { Ports } from '../ports/index.js';
import type { Serializer } from '../ports/serializer.js';
import { compileManifest, type CompiledEndpoint } from './manifest/compile.js';
import { declaredNames } from './manifest/declared-names.js';
import { ManifestError } from './manifest/manifest-error.js';
import * as optionChecks from './options/check-kernel-options.js';
import type { PluginSpec, RegisteredPlugin } from './plugin.js';
import { carriesCredential, isSecretHeader, type SecretRegistry } from './redact.js';
import { idempotencyKeysFor } from './request/idempotency-key.js';
import { sendableHeaders } from './request/header-checks.js';
import { staticHeaders } from './request/platform-headers.js';

/** The endpoints a kernel already serves, by id, with the plugin that owns each. */
export type EndpointOwners = ReadonlyMap<string, { plugin: RegisteredPlugin; endpoint: CompiledEndpoint }>;

/**
 * `kernel.use`'s checks and compilation, before the kernel changes anything: the spec, its options,
 * its name and every endpoint id unique, the manifest compiled, the headers resolved. A plugin refused
 * here leaves the kernel as it was.
 */
export function preparePlugin(
  plugin: unknown,
  container: DependencyContainer,
  plugins: ReadonlyMap<string, unknown>,
  endpoints: EndpointOwners,
): RegisteredPlugin {
  const spec = plugin as PluginSpec;
  if (!spec || typeof spec.name !== 'string' || !spec.manifest) {
    throw new ManifestError('plugin', 'manifest', 'is required (use definePlugin)');
  }
  optionChecks.checkPluginOptions(spec);
  if (plugins.has(spec.name))
    throw new ManifestError(`plugin "${spec.name}"`, 'name', 'is already registered');
  const serializer = container.resolve<Serializer>(Ports.Serializer);
  const compiled = compileManifest(spec.manifest, serializer, declaredNames(spec, container));
  for (const endpoint of compiled) {
    const owner = endpoints.get(endpoint.id);
    if (owner) {
      throw new ManifestError(
        `plugin "${spec.name}"`,
        `endpoint "${endpoint.id}"`,
        `collides with plugin "${owner.plugin.spec.name}"`,
      );
    }
  }
  const headers = staticHeaders(spec.name, spec.version, spec.headers);
  return {
    spec,
    endpoints: new Map(compiled.map((e) => [e.id, e])),
    staticHeaders: headers,
    checkedHeaders: sendableHeaders(headers),
    crossOriginHeaders: { 'user-agent': headers['user-agent'], accept: headers.accept },
    originBound: Object.freeze(Object.keys(spec.headers?.static ?? {}).map((name) => name.toLowerCase())),
    newIdempotencyKey: idempotencyKeysFor(spec.headers?.idempotency),
  };
}

/** Every value the plugin declares secret (auth schemes, `secrets`, credential-bearing static headers). */
export function addPluginSecrets(spec: PluginSpec, secrets: SecretRegistry): void {
  for (const scheme of Object.values(spec.auth ?? {})) {
    for (const value of scheme.secretValues?.() ?? []) secrets.add(value);
  }
  for (const value of spec.secrets ?? []) secrets.add(value);
  for (const [name, value] of Object.entries(spec.headers?.static ?? {})) {
    if (isSecretHeader(name) || carriesCredential(value)) secrets.addHeaderValue(value);
  }
}

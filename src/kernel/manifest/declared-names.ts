import type { DependencyContainer } from 'tsyringe';
import type { CodecRegistry } from '../../ports/body-codec.js';
import type { Compression } from '../../ports/compression.js';
import { Ports } from '../../ports/index.js';
import type { PluginSpec } from '../plugin-contract.js';
import type { DeclaredNames } from './compile.js';

/** What a plugin's manifest may refer to: its own declarations, and what the bound adapters handle. */
export function declaredNames(spec: PluginSpec, container: DependencyContainer): DeclaredNames {
  return {
    retryPolicies: new Set(Object.keys(spec.retryPolicies ?? {})),
    authSchemes: new Set(Object.keys(spec.auth ?? {})),
    pollProtocols: new Set(Object.keys(spec.pollProtocols ?? {})),
    weights: new Set(Object.keys(spec.weights ?? {})),
    codecs: container.resolve<CodecRegistry>(Ports.Codecs),
    encodings: container.resolve<Compression>(Ports.Compression).encodings,
  };
}

import { Secret, type CallOptions } from 'pristine-kernel';
import type { ResolvedConfig } from '../config.js';
import { TinkerAuth } from '../plugin/tinker-auth.js';
import { CredentialSource } from '../protocol/credential.js';
import { TinkerProtocol } from '../protocol/tinker-protocol.js';
import { attachHolder, holdersOf, type TinkerKernel } from './tinker-kernel.js';

/**
 * A session-less holder authenticated with a caller's `weights_access_token`, as the Python SDK builds
 * for `weights_info` in from_state (tinker-python-sdk.md, "from_state flow"): its own handshake with the
 * token (`client/config`, the JWT exchange when the server asks for it, `client/dynamic_config`), then
 * its calls carry the token (or its JWT) in place of the client's own credential. Pass `auth` as a
 * call's `auth` option; `close()` when done. The token is a secret of the kernel from the start, and the
 * kernel never sends a call's credentials to another origin.
 */
export function accessTokenHolder(
  kernel: TinkerKernel,
  config: ResolvedConfig,
  token: string,
): { auth: TinkerAuth; close(): void } {
  const { secrets, clock } = kernel.getServices();
  secrets.add(token);
  const secret = new Secret(token);
  const credential = new CredentialSource(
    secret,
    undefined,
    () => clock.now(),
    undefined,
    undefined,
    undefined,
    'weights_access_token',
  );
  const holder = new TinkerProtocol(credential, { protocol: config.protocol, refreshDynamicConfig: false });
  const auth = new TinkerAuth(holdersOf(kernel), secret, holder);
  attachHolder(holder, () => kernel, auth);
  return { auth, close: () => holder.close() };
}

/** `weights_info` of the session-less holder, or of one authenticated with the caller's token. */
export async function weightsInfo(
  kernel: TinkerKernel,
  config: ResolvedConfig,
  tinker_path: string,
  token: string | undefined,
  options: CallOptions,
) {
  if (!token) return kernel.call('weights_info', { tinker_path }, options);
  const holder = accessTokenHolder(kernel, config, token);
  try {
    return await kernel.call('weights_info', { tinker_path }, { ...options, auth: holder.auth });
  } finally {
    holder.close();
  }
}

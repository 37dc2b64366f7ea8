import { createTinkerKernel, type TinkerKernel } from '../../src/client/tinker-kernel.js';
import { resolveConfig } from '../../src/config.js';

/**
 * A Tinker kernel that was closed: every call rejects at once with ClientClosedError, sending nothing.
 * For code that must cope with calls that fail (telemetry against a dead endpoint) without a server or
 * a retry's wait.
 */
export async function closedTinkerKernel(): Promise<TinkerKernel> {
  const kernel = createTinkerKernel(
    resolveConfig({
      api_key: 'tml-closed-kernel-key',
      base_url: 'http://127.0.0.1:9',
      telemetry: false,
      env: {},
    }),
  );
  await kernel.close();
  return kernel;
}

import { startEmulator, type EmulatorOptions, type RunningEmulator } from 'tinker-emulator';
import { ServiceClient, type ServiceClientInit } from '../../src/index.js';

export const API_KEY = 'tml-e2e-test-key-0123456789';
export const TEXT = 'The quick brown fox jumps over the lazy dog. ';

/**
 * The protocol modes the end-to-end suite runs in: 0.25 with the server's default flags, 0.25 with JWT
 * exchange and zstd bodies on, and the JSON protocol of 0.7.0–0.24.1 (an emulator that answers 404 on
 * `client/config`). `TINKEX_E2E_MODES=v025,legacy` narrows a local run.
 */
export type E2EMode = 'v025' | 'v025-jwt-zstd' | 'legacy';
const ALL_MODES: readonly E2EMode[] = ['v025', 'v025-jwt-zstd', 'legacy'];
export const E2E_MODES: readonly E2EMode[] =
  process.env.TINKEX_E2E_MODES?.split(',').filter((m): m is E2EMode => ALL_MODES.includes(m as E2EMode)) ??
  ALL_MODES;

const MODE_OPTIONS: Record<E2EMode, EmulatorOptions> = {
  v025: {},
  'v025-jwt-zstd': { clientConfig: { pjwt_auth_enabled: true, proto_compress_fwdbwd: true } },
  legacy: { legacyJson: true },
};

/** Start an emulator (in `mode`) and a ServiceClient pointed at it; both are closed by `close()`. */
export async function setup(
  emulatorOptions: EmulatorOptions = {},
  clientOptions: ServiceClientInit = {},
  mode: E2EMode = 'v025',
) {
  const modeOptions = MODE_OPTIONS[mode];
  const emulator: RunningEmulator = await startEmulator({
    seed: 7,
    ...modeOptions,
    ...emulatorOptions,
    clientConfig: { ...modeOptions.clientConfig, ...emulatorOptions.clientConfig },
  });
  const service = new ServiceClient({
    api_key: API_KEY,
    base_url: emulator.url,
    telemetry: false,
    log_level: 'off',
    env: {},
    ...clientOptions,
  });
  return {
    emulator,
    service,
    close: async () => {
      await service.close();
      await emulator.close();
    },
  };
}

export { bytes, textDatum } from '../support/text-datum.js';

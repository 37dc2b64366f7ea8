import { startEmulator, type EmulatorOptions, type RunningEmulator } from 'tinker-emulator';
import { ServiceClient, type ServiceClientInit } from '../../src/index.js';

export const API_KEY = 'tml-e2e-test-key-0123456789';
export const TEXT = 'The quick brown fox jumps over the lazy dog. ';

/** Start an emulator and a ServiceClient pointed at it; both are closed by `close()`. */
export async function setup(emulatorOptions: EmulatorOptions = {}, clientOptions: ServiceClientInit = {}) {
  const emulator: RunningEmulator = await startEmulator({ seed: 7, ...emulatorOptions });
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

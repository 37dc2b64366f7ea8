import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js';
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

export const bytes = (text: string) => [...Buffer.from(text, 'utf8')];

/** A cross_entropy datum predicting each next byte of `text`. */
export function textDatum(text: string) {
  const b = bytes(text);
  const tokens = b.slice(0, -1);
  const targets = b.slice(1);
  return {
    model_input: { chunks: [{ tokens }] },
    loss_fn_inputs: {
      target_tokens: { data: targets, dtype: 'int64' as const, shape: [targets.length] },
      weights: { data: targets.map(() => 1), dtype: 'float32' as const, shape: [targets.length] },
    },
  };
}

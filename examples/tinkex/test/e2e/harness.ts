import { describe } from '@jest/globals';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from 'tinker-emulator';
import { ServiceClient, type ServiceClientInit } from '../../src/index.js';

export const API_KEY = 'tml-e2e-test-key-0123456789';
export const TEXT = 'The quick brown fox jumps over the lazy dog. ';

/**
 * The protocol modes the end-to-end suite runs in: 0.25 with the server's default flags, 0.25 with JWT
 * exchange and zstd bodies on, and the JSON protocol of 0.7.0–0.24.1 (an emulator that answers 404 on
 * `client/config`).
 *
 * `TINKEX_E2E_MODE=<mode>` runs the whole suite in one mode: every `setup()` without an explicit mode
 * starts its emulator in that mode, and the `describe.each(E2E_MODES)` files run that mode only.
 * Without it (plain `npm test`) `setup()` defaults to `v025` and `describe.each(E2E_MODES)` files run all
 * three. `TINKEX_E2E_MODES=v025,legacy` narrows the `describe.each` files of a local run.
 */
export type E2EMode = 'v025' | 'v025-jwt-zstd' | 'legacy';
const ALL_MODES: readonly E2EMode[] = ['v025', 'v025-jwt-zstd', 'legacy'];
const isMode = (m: string): m is E2EMode => ALL_MODES.includes(m as E2EMode);

function suiteMode(value: string | undefined): E2EMode | undefined {
  if (value === undefined || value === '') return undefined;
  // A typo must not silently run the default mode and report it green.
  if (!isMode(value)) throw new Error(`TINKEX_E2E_MODE must be one of ${ALL_MODES.join(', ')}; got ${value}`);
  return value;
}

/** The mode of this whole run (`TINKEX_E2E_MODE`), if one was chosen. */
export const SUITE_MODE: E2EMode | undefined = suiteMode(process.env.TINKEX_E2E_MODE);
/** The mode `setup()` uses when a test does not name one. */
export const DEFAULT_MODE: E2EMode = SUITE_MODE ?? 'v025';
export const E2E_MODES: readonly E2EMode[] =
  process.env.TINKEX_E2E_MODES?.split(',').filter(isMode) ?? (SUITE_MODE ? [SUITE_MODE] : ALL_MODES);

/**
 * `describe` for tests that are about one protocol generation (they pin their mode in `setup()`): they
 * run in a plain `npm test` and in the whole-suite runs of the modes they name, and show as skipped in
 * the other whole-suite runs (they would only repeat themselves there).
 */
export function describeInModes(modes: readonly E2EMode[], title: string, fn: () => void): void {
  if (SUITE_MODE === undefined || modes.includes(SUITE_MODE)) describe(title, fn);
  else describe.skip(`${title} [only in ${modes.join(', ')} mode]`, fn);
}

const MODE_OPTIONS: Record<E2EMode, EmulatorOptions> = {
  v025: {},
  'v025-jwt-zstd': { clientConfig: { pjwt_auth_enabled: true, proto_compress_fwdbwd: true } },
  legacy: { legacyJson: true },
};

/** The emulator options of `mode` (to start another emulator as `setup()` did, e.g. after a restart). */
export const emulatorOptions = (mode: E2EMode): EmulatorOptions => MODE_OPTIONS[mode];

/**
 * The client's `protocol` option (and `TINKER_PROTOCOL` of a spawned CLI) in each mode: `auto` in all of
 * them, so the client negotiates as a user's does and the emulator's flags decide the generation.
 */
export const MODE_PROTOCOL: Record<E2EMode, 'auto' | 'v025' | 'legacy'> = {
  v025: 'auto',
  'v025-jwt-zstd': 'auto',
  legacy: 'auto',
};

/** A quiet ServiceClient (no telemetry, no log, no environment) speaking `mode`'s protocol to `baseUrl`. */
export function modeClient(mode: E2EMode, baseUrl: string, options: ServiceClientInit = {}): ServiceClient {
  return new ServiceClient({
    api_key: API_KEY,
    base_url: baseUrl,
    protocol: MODE_PROTOCOL[mode],
    telemetry: false,
    log_level: 'off',
    env: {},
    ...options,
  });
}

/** Start an emulator (in `mode`) and a ServiceClient pointed at it; both are closed by `close()`. */
export async function setup(
  emulatorOptions: EmulatorOptions = {},
  clientOptions: ServiceClientInit = {},
  mode: E2EMode = DEFAULT_MODE,
) {
  const modeOptions = MODE_OPTIONS[mode];
  const emulator: RunningEmulator = await startEmulator({
    seed: 7,
    ...modeOptions,
    ...emulatorOptions,
    clientConfig: { ...modeOptions.clientConfig, ...emulatorOptions.clientConfig },
  });
  const service = modeClient(mode, emulator.url, clientOptions);
  return {
    emulator,
    service,
    mode,
    /** What a spawned CLI needs to reach this emulator in this mode. */
    cliEnv: {
      TINKER_BASE_URL: emulator.url,
      TINKER_API_KEY: API_KEY,
      TINKER_PROTOCOL: clientOptions.protocol ?? MODE_PROTOCOL[mode],
    },
    close: async () => {
      await service.close();
      await emulator.close();
    },
  };
}

/**
 * `setup()` whose emulator a test may restart (stopped, then a fresh one with no sessions started in the
 * same mode on the same port: a server restart as a client sees it); `close()` closes whichever runs.
 */
export async function setupRestartable(...args: Parameters<typeof setup>) {
  const env = await setup(...args);
  let running = env.emulator;
  return {
    ...env,
    restart: async () => {
      const port = Number(new URL(running.url).port);
      await running.close();
      running = await startEmulator({ seed: 7, ...MODE_OPTIONS[env.mode], port });
      return running;
    },
    close: async () => {
      await env.service.close();
      await running.close();
    },
  };
}

export { bytes, textDatum } from '../support/text-datum.js';

/** The emulator's log of the requests to `/api/v1/<path>`, whatever their query string. */
export function callsTo(env: { emulator: RunningEmulator }, path: string) {
  return env.emulator.requestLog().filter((e) => e.path.replace(/\?.*$/, '') === `/api/v1/${path}`);
}

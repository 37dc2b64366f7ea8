import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals';
import { JsonLogger, Ports } from 'pristine-kernel';
import { ServiceClient } from '../../src/client/service-client.js';
import { resolveConfig } from '../../src/config.js';
import { hubSettings } from '../../src/hub/hub-settings.js';

/**
 * Found on review: an environment value Tinkex could not read fell back without a word
 * (`TINKER_TELEMETRY=maybe` meant off, `HF_HUB_DOWNLOAD_TIMEOUT=abc` the default). It still falls back,
 * as the Python SDK does, but says so once per variable per process: the variable, its value, what it
 * accepts and what it uses. (Each variable is tested once here: the once-per-process record lives as
 * long as this file's modules.)
 */
describe('an environment value that is not understood', () => {
  const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
  const warnings = () => emitWarning.mock.calls.map(([message]) => message);
  afterEach(() => {
    emitWarning.mockClear();
  });
  afterAll(() => {
    emitWarning.mockRestore();
  });

  it('TINKER_TELEMETRY: a ServiceClient says it through its logger at warn, once however many clients', async () => {
    const lines: string[] = [];
    const make = () =>
      new ServiceClient({
        api_key: 'tml-x',
        env: { TINKER_TELEMETRY: 'maybe' },
        configureKernel: (k) =>
          k.register(Ports.Logger, new JsonLogger({ level: 'warn', write: (line) => lines.push(line) })),
      });
    const first = make();
    const second = make();
    expect(first.config.telemetry).toBe(false);
    expect(second.config.telemetry).toBe(false);
    expect(lines.map((l) => (JSON.parse(l) as { message: string }).message)).toEqual([
      'TINKER_TELEMETRY="maybe" is not understood (accepted: 1/true/yes/on or 0/false/no/off); using off',
    ]);
    await first.close();
    await second.close();
  });

  it('TINKEX_POLL_BACKOFF: resolveConfig alone says it through process.emitWarning', () => {
    expect(resolveConfig({ api_key: 'tml-x', env: { TINKEX_POLL_BACKOFF: 'fast' } })).toBeDefined();
    expect(warnings()).toEqual([
      'TINKEX_POLL_BACKOFF="fast" is not understood (accepted: 1/true/yes/on or 0/false/no/off, exponential or none); using none',
    ]);
  });

  it('HF_HUB_DOWNLOAD_TIMEOUT and HF_HUB_OFFLINE: through the Hub logger when one is given', () => {
    const warn = jest.fn<(message: string) => void>();
    const logger = { debug() {}, info() {}, warn, error() {}, level: 'warn' as const };
    const settings = hubSettings(
      { env: { HF_HUB_DOWNLOAD_TIMEOUT: 'abc', HF_HUB_OFFLINE: 'sure' }, logger },
      10_000,
    );
    expect(settings.timeoutMs).toBe(10_000);
    expect(settings.offline).toBe(false);
    expect(warn.mock.calls.map(([m]) => m)).toEqual([
      'HF_HUB_OFFLINE="sure" is not understood (accepted: 1/true/yes/on or 0/false/no/off); using off',
      'HF_HUB_DOWNLOAD_TIMEOUT="abc" is not understood (accepted: a number of seconds > 0); using 10 s',
    ]);
  });

  it('values it understands, and unset or empty ones, are read without a word', () => {
    const config = resolveConfig({
      api_key: 'tml-x',
      env: { TINKER_TELEMETRY: 'OFF', TINKEX_POLL_BACKOFF: '' },
    });
    expect(config.telemetry).toBe(false);
    expect(resolveConfig({ api_key: 'tml-x', env: {} }).telemetry).toBe(true);
    expect(hubSettings({ env: { HF_HUB_DOWNLOAD_TIMEOUT: '2.5', HF_HUB_OFFLINE: 'YES' } })).toMatchObject({
      timeoutMs: 2_500,
      offline: true,
    });
    expect(warnings()).toEqual([]);
  });
});

import { describe, expect, it } from '@jest/globals';
import { CaptureLogger, Ports } from 'pristine-kernel';
import { closedPort } from '../../../../test/support/closed-port.js';
import { ServiceClient } from '../../src/client/service-client.js';

/** The debug lines saying which proxy a call went through, from one failed call of a fresh client. */
async function proxyLines(where: 'proxy' | 'TINKEX_PROXY'): Promise<string[]> {
  const logger = new CaptureLogger({ level: 'debug' });
  // Nothing listens at the proxy: the call fails once it has been routed there (and is not retried).
  const proxy = `http://dave:pr0xy-pw@127.0.0.1:${await closedPort()}`;
  const service = new ServiceClient({
    api_key: 'tml-proxy-source',
    base_url: 'http://api.test:8080',
    max_retries: 0,
    telemetry: false,
    ...(where === 'proxy' ? { proxy, env: {} } : { env: { TINKEX_PROXY: proxy } }),
    configureKernel: (kernel) => kernel.register(Ports.Logger, logger),
  });
  try {
    await service
      .createRestClient()
      .listTrainingRuns()
      .catch(() => undefined);
  } finally {
    await service.close();
  }
  expect(JSON.stringify(logger.records)).not.toMatch(/pr0xy-pw|dave/);
  return logger.records.filter((r) => r.message.includes('through proxy')).map((r) => r.message);
}

/**
 * Round 38: with TINKEX_PROXY set, TINKER_LOG=debug said the calls went through the proxy of "the proxy
 * option", which the person never passed. The line names the variable, or the option, as it was set.
 */
describe('the proxy debug line names where the proxy was set', () => {
  it('TINKEX_PROXY for the variable, "the proxy option" for the option', async () => {
    const [fromEnv, fromOption] = await Promise.all([proxyLines('TINKEX_PROXY'), proxyLines('proxy')]);
    expect(fromEnv).toEqual([
      expect.stringMatching(/^requests go through proxy 127\.0\.0\.1:\d+ \(TINKEX_PROXY\)$/),
    ]);
    expect(fromOption).toEqual([
      expect.stringMatching(/^requests go through proxy 127\.0\.0\.1:\d+ \(the proxy option\)$/),
    ]);
  });
});

import { describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { MockAgent } from 'undici';
import { useNockInThisFile } from '../../../../test/support/nock-per-file.js';
import { GotTransport, Ports, UndiciTransport } from 'pristine-kernel';
import { ServiceClient } from '../../src/index.js';

// docs/tinkex.md and docs/plugin-authoring.md: Tinkex's default transport is undici, which nock cannot
// see. Bind GotTransport for nock, or UndiciTransport({ dispatcher: mockAgent }).
describe('Tinkex with HTTP mocking libraries', () => {
  const capabilities = { supported_models: [{ model_name: 'meta-llama/Llama-3.2-1B' }] };
  useNockInThisFile();

  it('nock answers a ServiceClient whose kernel is bound to GotTransport', async () => {
    nock.disableNetConnect();
    const scope = nock('https://tinker.test')
      .get('/api/v1/get_server_capabilities')
      .matchHeader('x-api-key', 'tml-nock')
      .reply(200, capabilities);
    const service = new ServiceClient({
      api_key: 'tml-nock',
      base_url: 'https://tinker.test',
      // Legacy JSON: no client/config handshake to mock (in 0.25 mode, mock that call too).
      protocol: 'legacy',
      telemetry: false,
      env: {},
      configureKernel: (kernel) => kernel.register(Ports.Transport, new GotTransport()),
    });
    try {
      await expect(service.getServerCapabilities()).resolves.toEqual(capabilities);
      expect(scope.isDone()).toBe(true);
    } finally {
      await service.close();
    }
  });

  it("undici's MockAgent answers a ServiceClient through UndiciTransport({ dispatcher })", async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent
      .get('https://tinker.test')
      .intercept({ path: '/api/v1/get_server_capabilities', method: 'GET' })
      .reply(200, capabilities);
    const service = new ServiceClient({
      api_key: 'tml-mock-agent',
      base_url: 'https://tinker.test',
      // Legacy JSON: no client/config handshake to mock (in 0.25 mode, mock that call too).
      protocol: 'legacy',
      telemetry: false,
      env: {},
      configureKernel: (kernel) =>
        kernel.register(Ports.Transport, new UndiciTransport({ dispatcher: agent })),
    });
    try {
      await expect(service.getServerCapabilities()).resolves.toEqual(capabilities);
      agent.assertNoPendingInterceptors();
    } finally {
      await service.close();
      await agent.close();
    }
  });
});

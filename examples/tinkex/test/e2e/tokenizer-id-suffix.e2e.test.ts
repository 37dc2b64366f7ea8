import { describe, expect, it } from '@jest/globals';
import { ServiceClient } from '../../src/index.js';
import { forwardingProxy } from '../support/forwarding-proxy.js';
import { API_KEY, DEFAULT_MODE, MODE_PROTOCOL, setup } from './harness.js';

/**
 * A loopback proxy in front of the emulator whose `get_info` answers carry `tokenizer_id` with a
 * `:suffix` (the emulator names `tinkex/byte-level` without one); everything else is forwarded.
 */
async function suffixedTokenizerId(target: string) {
  return forwardingProxy(target, (req, body, res) => {
    if (!req.url?.endsWith('/get_info')) return false;
    const { model_id } = JSON.parse(body.toString()) as { model_id: string };
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        model_data: {
          arch: 'byte-bigram-lora',
          model_name: 'meta-llama/Llama-3.2-1B',
          tokenizer_id: 'tinkex/byte-level:rev-2',
        },
        model_id,
        is_lora: true,
        lora_rank: 4,
        type: 'get_info',
      }),
    );
    return true;
  });
}

/**
 * The official SDK's `models.get_info` (`resources/models.py`) keeps only what comes before the first
 * `:` of `model_data.tokenizer_id` in the result it returns, and its training client's `get_tokenizer`
 * loads that id. Tinkex stripped it only when loading, so `getInfo()` handed a caller an id no tokenizer
 * hub knows.
 */
describe('get_info tokenizer_id with a :suffix', () => {
  it('getInfo() answers the id without it, as the official SDK does; getTokenizer() loads that id', async () => {
    const env = await setup();
    const proxy = await suffixedTokenizerId(env.emulator.url);
    const service = new ServiceClient({
      api_key: API_KEY,
      base_url: proxy.url,
      protocol: MODE_PROTOCOL[DEFAULT_MODE],
      telemetry: false,
      log_level: 'off',
      env: {},
    });
    try {
      const training = await service.createLoraTrainingClient({
        base_model: 'meta-llama/Llama-3.2-1B',
        rank: 4,
      });
      const info = await training.getInfo();
      expect(info.model_data.tokenizer_id).toBe('tinkex/byte-level');
      expect(info.model_data.model_name).toBe('meta-llama/Llama-3.2-1B');
      // Offline: the byte-level tokenizer ships with Tinkex, the Llama one would need the Hub.
      const tokenizer = await training.getTokenizer();
      expect(tokenizer.encode('Hi')).toEqual([72, 105]);
    } finally {
      await service.close();
      await proxy.close();
      await env.close();
    }
  });
});

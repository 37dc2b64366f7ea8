import { ServiceClient } from './src/index.js';
const service = new ServiceClient({ api_key: 'tml-hand', base_url: process.env.BASE!, shared: { redis: process.env.R!, ...(process.env.CLUSTER ? {cluster: true} : {}) } });
const sampler = await service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
const r = await sampler.sample({ prompt: [...Buffer.from('The quick')], sampling_params: { max_tokens: 4, temperature: 0 } } as never);
console.log('sampled', JSON.stringify(r).slice(0, 80));
if (process.env.CLOSE) { await service.close(); await service.close(); console.log('closed twice'); }

// docs/snippets/mock-agent.ts
import { MockAgent } from 'undici';
import { Ports, UndiciTransport } from 'pristine-kernel';
import { TodoClient } from './client.js';

// undici's MockAgent: no server, no network (disableNetConnect makes an unmatched request fail).
const agent = new MockAgent();
agent.disableNetConnect();
agent
  .get('https://todo.example')
  .intercept({ path: '/todos', method: 'POST' })
  .reply(201, { id: 't1', title: 'mocked', done: false });

const client = new TodoClient({
  baseUrl: 'https://todo.example',
  token: 't',
  configure: (kernel) => kernel.register(Ports.Transport, new UndiciTransport({ dispatcher: agent })),
});
console.log((await client.create('mocked')).title);
agent.assertNoPendingInterceptors();
await client.close();
await agent.close();

// docs/snippets/usage.ts
import { TodoClient } from './client.js';

const client = new TodoClient({
  baseUrl: process.env.TODO_BASE_URL ?? 'http://127.0.0.1:8080',
  token: process.env.TODO_TOKEN ?? 'dev-token',
});
const milk = await client.create('buy milk');
await client.create('walk the dog');
await client.complete(milk.id);

for await (const todo of client.all(1)) console.log(todo.done ? '[x]' : '[ ]', todo.title);

const future = client.export('csv');
console.log('export job', await future.accepted);
console.log('export ready at', (await future).url);

for await (const change of client.changes()) console.log(change.kind, change.todo.title);

const attachment = await client.attach(milk.id, {
  data: new TextEncoder().encode('receipt'),
  filename: 'receipt.txt',
  contentType: 'text/plain',
});
console.log('attached', attachment.bytes, 'bytes');
await client.close();

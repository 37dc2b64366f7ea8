import { afterAll, test } from '@jest/globals';
import http from 'node:http';

const server = http.createServer();
afterAll(() => new Promise((resolve) => server.close(resolve)));

test('starts a server that afterAll closes, and writes to the standard streams', async () => {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write('');
  process.stderr.write('');
});

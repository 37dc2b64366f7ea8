import { test } from '@jest/globals';
import http from 'node:http';

test('starts a server and never closes it', async () => {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
});

/* global openedBefore -- the server the environment opened before the file (server-opened-before) */
import { test } from '@jest/globals';
import http from 'node:http';

test('closes the server it was given and leaves one of its own listening', async () => {
  await new Promise((resolve) => openedBefore.close(resolve));
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
});

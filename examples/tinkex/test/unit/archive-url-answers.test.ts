import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ResponseValidationError } from 'pristine-kernel';
import { describeError } from '../../src/cli/describe-error.js';
import { ServiceClient } from '../../src/index.js';

// Found by hand: a checkpoint archive request answered 200 with a web page (a proxy's login page)
// made `tinkex checkpoint download` print `Error: SyntaxError: Unexpected token '<', "<html>login</html>"
// is not valid JSON`: a bare SyntaxError, nothing about the URL. It is the answer of a server that is
// not the Tinker API, said as for every other call.
let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url!.includes('/html/archive')) {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<html>login</html>');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"expires":"2030-01-01T00:00:00Z"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function client(): ServiceClient {
  return new ServiceClient({
    api_key: 'tml-archive-key',
    base_url: base,
    protocol: 'legacy',
    telemetry: false,
    log_level: 'off',
    env: {},
  });
}

/** The rejection of `getCheckpointArchiveUrl` for the checkpoint `weights/<name>` (the caller closes `service`). */
async function archiveError(name: string) {
  const service = client();
  const error = await service
    .createRestClient()
    .getCheckpointArchiveUrl('run:train:0', `weights/${name}`)
    .then(
      () => new Error('expected a rejection'),
      (e: Error) => e,
    );
  return { service, error };
}

describe('getCheckpointArchiveUrl on an answer that is not a Tinker one', () => {
  it('a web page is a ResponseValidationError (not JSON), which the CLI names as a wrong base URL', async () => {
    const { service, error } = await archiveError('html');
    try {
      expect(error).toBeInstanceOf(ResponseValidationError);
      expect((error as ResponseValidationError).notJson).toBe(true);
      expect(error.message).toBe(
        'Response of "get_checkpoint_archive_url" is not JSON (HTTP 200, Content-Type: text/html): "<html>login</html>"',
      );
      expect(describeError(error).message).toBe('The server did not answer as a Tinker API');
    } finally {
      await service.close();
    }
  });

  it('JSON without a url is a ResponseValidationError naming /url', async () => {
    const { service, error } = await archiveError('nourl');
    try {
      expect(error).toBeInstanceOf(ResponseValidationError);
      expect(error.message).toMatch(
        /^Response of "get_checkpoint_archive_url" does not match its schema:\n {2}\/url: /,
      );
    } finally {
      await service.close();
    }
  });
});

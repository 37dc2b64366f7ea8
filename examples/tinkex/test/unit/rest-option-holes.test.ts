import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { json, scriptedServer } from '../../../../test/support/scripted-server.js';
import { rejected } from '../../../../test/support/validation-errors.js';
import { ServiceClient } from '../../src/index.js';

const KEY = 'tml-rest-probe-key-0123456789';

/**
 * Found by hand (bad options to every RestClient method, round 24): each of these went to the server,
 * or crashed with a TypeError, instead of a ValidationError naming the option and the rule before
 * anything is sent. `exportSessionTrace({ pollIntervalMs: NaN })` polled without pause (a NaN sleep is
 * none) until its 10-minute bound; `iterateUserCheckpoints({ pagesize: 5 })` and
 * `getAuditLog({ dya })` dropped the misspelt option; `getAuditLog(null)` and `openDownload('…')`
 * with no URL threw TypeErrors; `getCheckpointArchiveUrl(…, { maxRetries: null })` meant 2 retries.
 */
describe('RestClient options found unchecked by hand', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  beforeAll(async () => {
    server = await scriptedServer((_req, res) => json(res, 200, { status: 'pending' }));
  });
  afterAll(() => server.close());

  const cases: [
    string,
    (rest: ReturnType<ServiceClient['createRestClient']>) => Promise<unknown>,
    string,
    string,
  ][] = [
    [
      'exportSessionTrace pollIntervalMs NaN',
      (r) => r.exportSessionTrace('s', { pollIntervalMs: Number.NaN }),
      '/pollIntervalMs',
      'finite',
    ],
    [
      'exportSessionTrace pollIntervalMs -1',
      (r) => r.exportSessionTrace('s', { pollIntervalMs: -1 }),
      '/pollIntervalMs',
      'minimum',
    ],
    [
      'exportSessionTrace pollIntervalMs 0',
      (r) => r.exportSessionTrace('s', { pollIntervalMs: 0 }),
      '/pollIntervalMs',
      'minimum',
    ],
    [
      'exportSessionTrace pollIntervalMs "5s"',
      (r) => r.exportSessionTrace('s', { pollIntervalMs: '5s' as never }),
      '/pollIntervalMs',
      'finite',
    ],
    [
      'exportSessionTrace pollIntervalMs 1e20',
      (r) => r.exportSessionTrace('s', { pollIntervalMs: 1e20 }),
      '/pollIntervalMs',
      'maximum',
    ],
    [
      'exportSessionTrace onProgress 5',
      (r) => r.exportSessionTrace('s', { onProgress: 5 as never }),
      '/onProgress',
      'type',
    ],
    [
      'iterateUserCheckpoints pagesize',
      (r) => r.iterateUserCheckpoints({ pagesize: 5 } as never).toArray(),
      '/pagesize',
      'additionalProperties',
    ],
    ['getAuditLog dya', (r) => r.getAuditLog({ dya: '2026-01-01' } as never), '/dya', 'additionalProperties'],
    ['getAuditLog null', (r) => r.getAuditLog(null as never), '', 'type'],
    ['openDownload no URL', (r) => r.openDownload('not a url'), '/url', 'format'],
    ['openDownload 5', (r) => r.openDownload(5 as never), '/url', 'type'],
    ['openDownload ftp', (r) => r.openDownload('ftp://127.0.0.1/a.tar'), '/url', 'format'],
    [
      'getCheckpointArchiveUrl maxRetries null',
      (r) => r.getCheckpointArchiveUrl('run', 'weights/c', { maxRetries: null as never }),
      '/maxRetries',
      'integer',
    ],
  ];

  it.each(cases)('%s: refused by name before anything is sent', async (_name, call, pointer, rule) => {
    const service = new ServiceClient({ api_key: KEY, base_url: server.url, telemetry: false, env: {} });
    try {
      const error = await rejected(call(service.createRestClient()));
      expect(error.issues).toEqual([expect.objectContaining({ pointer, rule })]);
      expect(`${error.message} ${inspect(error)} ${JSON.stringify(error)}`).not.toContain(KEY);
      expect(server.seen).toEqual([]);
    } finally {
      await service.close();
    }
  });
});

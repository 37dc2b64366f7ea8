import { expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { definePlugin } from '../../src/kernel/plugin.js';

/*
 * Found by hand (an SDK author printing the plugin they built while debugging): the auth schemes in
 * it print redacted, but its static headers (`{ 'x-api-key': process.env.KEY }`, a gateway's
 * `X-Custom-Auth: Bearer …`) and the values listed in its `secrets` printed as they are, in
 * `util.inspect`, `console.log` and `JSON.stringify`. They print masked, as the kernel logs them.
 */
const KEY = 'plugin-static-key-5e6f7a';
const BEARER = 'plugin-bearer-9a8b7c';
const LISTED = 'plugin-listed-client-id-1d2e';

it('a plugin prints its credential headers and listed secrets masked', () => {
  const plugin = definePlugin({
    name: 'print',
    version: '1',
    manifest: { name: 'print', version: '1', endpoints: [] },
    defaults: { baseUrl: 'http://127.0.0.1:9' },
    headers: {
      static: { 'x-api-key': KEY, 'x-custom-auth': `Bearer ${BEARER}`, 'x-team': 'blue', 'x-client': LISTED },
    },
    secrets: [LISTED],
  });
  const printed = [
    inspect(plugin, { depth: Infinity, showHidden: true }),
    inspect(plugin),
    JSON.stringify(plugin),
  ];
  for (const text of printed) {
    for (const secret of [KEY, BEARER, LISTED]) expect(text).not.toContain(secret);
    expect(text).toContain('blue');
    expect(text).toContain('x-api-key');
  }
  // The plugin itself is unchanged: the kernel reads the real values.
  expect(plugin.headers?.static?.['x-api-key']).toBe(KEY);
  expect(plugin.secrets).toEqual([LISTED]);
  expect(Object.keys(plugin)).not.toContain('toJSON');
});

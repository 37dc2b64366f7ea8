import { expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { createKernel } from '../../src/defaults/kernel.js';

/*
 * Found by hand (an SDK author printing `kernel.settings` while debugging a proxy): the kernel printed
 * clean, but its public `settings` printed the proxy URL with its password, in `util.inspect`,
 * `console.log` and `JSON.stringify`. The settings now print the proxy with its credentials masked,
 * and stay a plain object the caller may still change (`settings.proxy = …`).
 */
const PASSWORD = 'settings-pr0xy-pass-77';

it('kernel.settings prints its proxy without the password', () => {
  const kernel = createKernel({ proxy: `http://user:${PASSWORD}@127.0.0.1:9` });
  const printed = [
    inspect(kernel.settings, { depth: Infinity, showHidden: true }),
    inspect(kernel.settings),
    JSON.stringify(kernel.settings),
  ];
  for (const text of printed) {
    expect(text).not.toContain(PASSWORD);
    expect(text).toContain('127.0.0.1:9');
    expect(text).toContain('timeoutMs');
  }
  expect(kernel.settings.proxy).toBe(`http://user:${PASSWORD}@127.0.0.1:9`);
});

it('a proxy set on the live settings prints masked too', () => {
  const kernel = createKernel();
  kernel.settings.proxy = `http://user:${PASSWORD}@127.0.0.1:8`;
  expect(inspect(kernel.settings)).not.toContain(PASSWORD);
  expect(JSON.stringify(kernel.settings)).not.toContain(PASSWORD);
  expect(Object.keys(kernel.settings)).not.toContain('toJSON');
});

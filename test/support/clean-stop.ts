import { expect, it } from '@jest/globals';
import { acceptsConnections, spawnServer } from './spawn-cli.js';

/**
 * The tests that a server command stops cleanly on a signal: it closes its port and exits as a shell
 * reports a process that signal stopped (128 + its number: 130 on SIGINT, 143 on SIGTERM), with no error
 * printed. For the emulator's bin and `tinkex emulator` alike.
 */
export function itStopsCleanlyOnSignals(bin: string, args: string[]): void {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s: closes the port and exits %d',
    async (signal, code) => {
      const server = await spawnServer(bin, args);
      expect(await acceptsConnections(server.url)).toBe(true);
      expect(await server.stop(signal)).toBe(code);
      expect(server.output()).not.toMatch(/Error/);
      expect(await acceptsConnections(server.url)).toBe(false);
    },
    90_000,
  );
}

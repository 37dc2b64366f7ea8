import { describe } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { itStopsCleanlyOnSignals } from '../../../test/support/clean-stop.js';

const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

/**
 * Found by hand: Ctrl-C on the emulator exited 0, so a script could not tell a stop it asked for from a
 * server that ended on its own. A clean stop on a signal now exits as a shell reports a process that
 * signal stopped: 130 on SIGINT, 143 on SIGTERM, after the port is closed.
 */
describe('the tinker-emulator bin stopped by a signal', () => {
  itStopsCleanlyOnSignals(BIN, ['--port', '0']);
});

import { afterEach, expect, it } from '@jest/globals';
import { CaptureLogger, Ports } from 'pristine-kernel';
import { describeInModes, setup, type E2EMode } from './harness.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

type Headers = Record<string, string>;
/** What HTTP framing adds below the client's header set; the debug log is about the client's own. */
const FRAMING = new Set(['host', 'connection', 'content-length', 'transfer-encoding']);
const MASKED = '[REDACTED]';

/**
 * `TINKER_LOG=debug` read as a user reads it: the common line (sent by every request unless a request's
 * line shows another value or names it omitted), then each request line. Found by hand: in 0.25 mode the
 * common line said `x-stainless-package-version: 0.1.0` (Tinkex's own version), a value no request sent.
 */
for (const mode of ['v025', 'legacy'] as const satisfies readonly E2EMode[]) {
  describeInModes([mode], `the debug log's headers are the ones the server received (${mode})`, () => {
    it('every logged header value arrived, and every header that arrived is logged', async () => {
      const logger = new CaptureLogger({ level: 'debug', logHeaders: true });
      const env = await setup(
        {},
        { log_level: 'debug', configureKernel: (kernel) => kernel.register(Ports.Logger, logger) },
        mode,
      );
      cleanup = env.close;
      await env.service.getServerCapabilities();
      await env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 4 });
      const received = env.emulator.requestLog();

      const commonLines = logger.records.filter((r) => r.message.startsWith('headers every request'));
      expect(commonLines).toHaveLength(1);
      const common = commonLines[0]!.fields.headers as Headers;
      const lines = logger.records.filter((r) => /^request (GET|POST) /.test(r.message));
      expect(lines.length).toBeGreaterThanOrEqual(4);
      const unmatched = [...received];
      for (const line of lines) {
        const [, method, url] = /^request (\S+) (\S+)$/.exec(line.message)!;
        const logged: Headers = { ...common, ...(line.fields.headers as Headers) };
        for (const name of (line.fields.omitted_headers as string[] | undefined) ?? []) delete logged[name];
        const path = new URL(url!).pathname;
        // The server entry of this request: same method and path, and the same idempotency key if any.
        const at = unmatched.findIndex(
          (entry) =>
            entry.method === method &&
            entry.path.replace(/\?.*$/, '') === path &&
            entry.headers['x-idempotency-key'] === logged['x-idempotency-key'],
        );
        expect(at).toBeGreaterThanOrEqual(0);
        const [entry] = unmatched.splice(at, 1);
        const arrived: Headers = {};
        for (const [name, value] of Object.entries(entry!.headers))
          if (!FRAMING.has(name)) arrived[name] = String(value);
        // Masked values (the credential) are compared by name only.
        for (const name in logged) if (logged[name] === MASKED) logged[name] = arrived[name] ?? MASKED;
        expect({ [`${method} ${path}`]: logged }).toEqual({ [`${method} ${path}`]: arrived });
      }
      // No value the common line states is one that never left: each was sent by some request.
      for (const [name, value] of Object.entries(common))
        expect({ [name]: received.some((entry) => entry.headers[name] === value) }).toEqual({ [name]: true });
    });
  });
}

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ApiKeyHeaderAuth } from '../../src/adapters/auth/api-key-header.js';
import { BearerTokenAuth } from '../../src/adapters/auth/bearer-token.js';
import { ValidationError } from '../../src/kernel/errors/validation-error.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { ManifestError } from '../../src/kernel/manifest/manifest-error.js';
import { thingsPlugin } from '../kernel/fixtures/things-plugin.js';
import { startThingsServer } from '../kernel/fixtures/things-server.js';
import {
  anyValue,
  badNumber,
  callTyped,
  FUZZ_TIMEOUT_MS,
  fuzzParams,
  settleTyped,
  trickyString,
} from '../support/fuzz.js';

/**
 * The kernel's public entry points on generated bad input and options: `createKernel`, `kernel.use`,
 * the auth adapters, `kernel.call` / `execute` with bad input, path params, headers and call options.
 * Every outcome is a result or a PristineError, within a deadline; input that failed validation sent
 * nothing to the (real, loopback) server; and nothing was left to reject unhandled
 * (jest-circus fails the running test on an unhandled rejection, see test/support/fuzz.ts).
 */
let server: Awaited<ReturnType<typeof startThingsServer>>;
beforeAll(async () => {
  server = await startThingsServer();
});
afterAll(async () => {
  await server.close();
});

/** Sometimes a valid value, mostly a bad one. */
const maybeValid = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof(valid, anyValue(), badNumber(), fc.constant(undefined));

const headerMap = fc.oneof(
  fc.dictionary(
    fc.oneof(fc.constantFrom('X-Ok', 'x-note'), trickyString()),
    fc.oneof(trickyString(), anyValue()),
    {
      maxKeys: 3,
    },
  ),
  anyValue(),
);

const kernelOptions = fc.oneof(
  fc.record(
    {
      baseUrl: maybeValid(fc.constantFrom('http://127.0.0.1:9/v1', 'https://x.test')),
      timeoutMs: maybeValid(fc.integer({ min: 1, max: 60_000 })),
      maxRetries: maybeValid(fc.nat(3)),
      responseValidation: maybeValid(fc.constantFrom('strict', 'warn', 'off')),
      compressionThresholdBytes: maybeValid(fc.nat()),
      breaker: fc.oneof(
        fc.constant(false),
        fc.record({ consecutiveFailures: maybeValid(fc.nat(5)), halfOpenAfterMs: maybeValid(fc.nat(1000)) }),
        anyValue(),
      ),
      tokenBucket: fc.oneof(
        fc.record({
          requestsPerSecond: maybeValid(fc.integer({ min: 1, max: 10 })),
          burst: maybeValid(fc.nat(5)),
        }),
        anyValue(),
      ),
      requestIdHeader: maybeValid(fc.constantFrom('x-request-id')),
      proxy: maybeValid(fc.constantFrom('http://proxy.test:8080')),
      logLevel: maybeValid(fc.constantFrom('debug', 'off')),
    },
    { requiredKeys: [] },
  ),
  anyValue(),
);

const callOptions = fc.oneof(
  fc.record(
    {
      timeoutMs: fc.oneof(fc.constant(10_000), badNumber(), anyValue()),
      maxRetries: fc.oneof(fc.constant(0), badNumber(), anyValue()),
      headers: headerMap,
      query: fc.oneof(
        fc.dictionary(fc.string(), fc.oneof(fc.string(), badNumber(), anyValue()), { maxKeys: 2 }),
        anyValue(),
      ),
      idempotencyKey: fc.oneof(trickyString(), anyValue()),
      baseUrl: fc.oneof(trickyString(), anyValue()),
      signal: anyValue(),
    },
    { requiredKeys: [] },
  ),
  anyValue(),
);

const pathId = fc.oneof(trickyString(), anyValue(), fc.constantFrom('t1', 'S:train:0'));
const thingInput = fc.oneof(
  fc.record(
    {
      name: fc.oneof(trickyString(), anyValue()),
      size: fc.oneof(fc.nat(9), badNumber(), anyValue()),
      tags: anyValue(),
    },
    { requiredKeys: [] },
  ),
  anyValue(),
);

describe('kernel entry points answer bad input with typed errors (property-based)', () => {
  it(
    'createKernel, kernel.use and the auth adapters',
    () => {
      fc.assert(
        fc.property(
          kernelOptions,
          anyValue(),
          trickyString(),
          headerMap,
          (options, defaults, key, headers) => {
            const made = callTyped(() => createKernel(options as never));
            if (!made.ok) expect(made.error).toBeInstanceOf(ValidationError);
            const used = callTyped(() =>
              createKernel().use(
                thingsPlugin({ defaults: defaults as never, headers: { static: headers as never } }),
              ),
            );
            if (!used.ok) expect([ValidationError, ManifestError]).toContain(used.error.constructor);
            for (const build of [
              () => new ApiKeyHeaderAuth(key),
              () => new BearerTokenAuth(key),
              () => new ApiKeyHeaderAuth('k', key),
            ]) {
              const auth = callTyped(build);
              if (!auth.ok) expect(auth.error).toBeInstanceOf(ValidationError);
            }
          },
        ),
        fuzzParams(150),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'kernel.call with bad input, path params, headers and call options sends nothing it refused',
    async () => {
      const kernel = createKernel({ maxRetries: 0 }).use(thingsPlugin({ defaults: { baseUrl: server.url } }));
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom('create_thing', 'get_thing', 'list_things', 'no_such_endpoint'),
            thingInput,
            pathId,
            callOptions,
            async (endpoint, input, id, options) => {
              const body = endpoint === 'get_thing' ? { id } : input;
              const before = server.requests.length;
              const outcome = await settleTyped(() =>
                kernel.call(endpoint as never, body as never, options as never),
              );
              if (!outcome.ok && outcome.error instanceof ValidationError) {
                expect(server.requests.length).toBe(before);
              }
            },
          ),
          fuzzParams(300),
        );
      } finally {
        await kernel.close();
      }
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'kernel.submit, kernel.paginate and kernel.stream with bad options',
    async () => {
      const kernel = createKernel({ maxRetries: 0 }).use(thingsPlugin({ defaults: { baseUrl: server.url } }));
      const extra = fc.oneof(
        fc.record(
          {
            pageSize: fc.oneof(fc.nat(3), badNumber(), anyValue()),
            idleTimeoutMs: fc.oneof(badNumber(), anyValue()),
            maxReconnects: fc.oneof(badNumber(), anyValue()),
            signal: anyValue(),
            headers: headerMap,
          },
          { requiredKeys: [] },
        ),
        anyValue(),
      );
      try {
        await fc.assert(
          fc.asyncProperty(extra, thingInput, async (options, input) => {
            const before = server.requests.length;
            const first = async (iterable: AsyncIterable<unknown>) => {
              for await (const item of iterable) return item;
            };
            for (const run of [
              () => kernel.submit('create_thing' as never, input, options as never),
              () => first(kernel.paginate('list_things' as never, input as never, options as never)),
              () => first(kernel.stream('get_thing' as never, input as never, options as never)),
            ]) {
              const outcome = await settleTyped(run);
              if (!outcome.ok && outcome.error instanceof ValidationError) {
                expect(server.requests.length).toBe(before);
              }
            }
          }),
          fuzzParams(200),
        );
      } finally {
        await kernel.close();
      }
    },
    FUZZ_TIMEOUT_MS,
  );
});

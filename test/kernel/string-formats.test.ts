import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { ResponseValidationError } from '../../src/kernel/pipeline/stages/validate-response.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { json, scriptedServer } from '../support/scripted-server.js';
import { rejected } from '../support/validation-errors.js';

/**
 * Found by hand in a fresh app with the packed kernel: `Type.String({ format: 'email' })` (and every
 * other format) was never checked, in inputs or responses, and Ajv printed "unknown format … ignored"
 * on the console, twice per schema. An author who writes a format expects it checked before anything
 * is sent, and a format nobody checks should be refused at `kernel.use`.
 */

let answer: unknown = {};
let server: Awaited<ReturnType<typeof scriptedServer>>;
beforeAll(async () => {
  server = await scriptedServer((_req, res) => json(res, 200, answer));
});
afterAll(() => server.close());

const plugin = (format: string) =>
  definePlugin({
    name: 'people',
    version: '1',
    defaults: { baseUrl: server.url, maxRetries: 2 },
    manifest: {
      name: 'people',
      version: '1',
      endpoints: [
        {
          id: 'invite',
          method: 'POST',
          path: '/invites',
          input: Type.Object({ value: Type.String({ format }) }),
          response: Type.Object({ value: Type.String({ format }) }),
        },
      ],
    },
  });

describe('string formats in schemas', () => {
  const cases: [format: string, good: string, bad: string][] = [
    ['email', 'ada@example.com', 'ada at example'],
    ['date-time', '2026-12-05T02:50:00.123Z', '2026-02-30T25:00:00Z'],
    ['date', '2024-02-29', '2026-02-29'],
    ['time', '23:59:59+01:00', '24:00:00Z'],
    ['uuid', '123e4567-e89b-42d3-a456-426614174000', '123e4567-e89b-42d3-a456'],
    ['uri', 'https://example.com/a?b=c', '/relative/path'],
    ['hostname', 'api.example.com', 'under_score..com'],
    ['ipv4', '192.168.0.1', '256.1.1.1'],
    ['ipv6', '::1', '1:::1'],
    ['byte', 'aGVsbG8=', 'not base64!'],
  ];

  it.each(cases)('checks %s in inputs before sending, and in responses', async (format, good, bad) => {
    const kernel = createKernel().use(plugin(format));
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const before = server.seen.length;
      const error = await rejected(kernel.call('invite', { value: bad }));
      expect(error.issues).toEqual([expect.objectContaining({ pointer: '/value', rule: 'format' })]);
      expect(server.seen.length).toBe(before);
      answer = { value: good };
      await expect(kernel.call('invite', { value: good })).resolves.toEqual({ value: good });
      answer = { value: bad };
      await expect(kernel.call('invite', { value: good })).rejects.toBeInstanceOf(ResponseValidationError);
      // Nothing printed behind the kernel's logger.
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      await kernel.close();
    }
  });

  it('refuses a format it cannot check at kernel.use, naming the endpoint, the field and the format', () => {
    expect(() => createKernel().use(plugin('e-mail'))).toThrow(
      /invite.*input.*format "e-mail" at \/properties\/value is unknown/s,
    );
  });

  // Found by review: Ajv applies a format only to values of its own type, so `int64` on a string (the
  // way OpenAPI writes 64-bit ids) and `email` on a number were accepted and never checked.
  it('refuses a format on a schema of a type the format never checks', () => {
    expect(() => createKernel().use(plugin('int64'))).toThrow(
      /invite.*input.*format "int64" at \/properties\/value checks numbers, not type "string"/s,
    );
    const numeric = definePlugin({
      name: 'counts',
      version: '1',
      manifest: {
        name: 'counts',
        version: '1',
        endpoints: [
          {
            id: 'count',
            method: 'POST',
            path: '/counts',
            input: Type.Object({ n: Type.Union([Type.Null(), Type.Integer({ format: 'email' })]) }),
          },
        ],
      },
    });
    expect(() => createKernel().use(numeric)).toThrow(
      /count.*input.*format "email" at \/properties\/n\/anyOf\/1 checks strings, not type "integer"/s,
    );
  });
});

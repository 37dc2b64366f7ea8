import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { CaptureLogger } from '../../src/adapters/logger/capture-logger.js';
import { GotTransport } from '../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { APIUserAbortError } from '../../src/kernel/errors/api-errors.js';
import { ValidationError } from '../../src/kernel/errors/validation-error.js';
import { FileInputSchema } from '../../src/kernel/manifest/file-input.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import type { Stage, UploadProgress } from '../../src/kernel/pipeline/context.js';
import type { AuthScheme } from '../../src/ports/auth.js';
import { Ports } from '../../src/ports/index.js';
import type { Transport } from '../../src/ports/transport.js';
import { ExpiringToken } from '../support/expiring-token.js';
import { RecordingClock } from '../support/recording-clock.js';
import { type ReceivedUpload, UPLOAD_ENDPOINT, uploadServer } from '../support/upload-server.js';

/**
 * `onUploadProgress`: the bytes of the request body as the transport takes them, per attempt, on both
 * transports and for every body kind, against a real loopback server that counts what it received.
 */
const FILE_BYTES = 3 * 1024 * 1024 + 123; // several report steps, not a multiple of any chunk size
/** Statuses to answer, in order; then 200. */
let script: number[] = [];
let file: string;
let url: string;
/** Bytes each request carried, and its content-length. */
let received: ReceivedUpload[];
let upload: Awaited<ReturnType<typeof uploadServer>>;

beforeAll(async () => {
  upload = await uploadServer('weights.bin', FILE_BYTES, () => script.shift() ?? 200);
  ({ file, url, received } = upload);
});
afterAll(() => upload.close());

function kernelOver(transport: () => Transport, extra: { auth?: AuthScheme; stages?: Stage[] } = {}) {
  const kernel = createKernel().use(
    definePlugin({
      name: 'uploads',
      version: '1',
      defaults: { baseUrl: url, maxRetries: 2, breaker: false, timeoutMs: 10_000 },
      ...(extra.auth ? { auth: { default: extra.auth } } : {}),
      ...(extra.stages
        ? { stages: extra.stages.map((stage) => ({ stage, placement: { before: 'transport' } })) }
        : {}),
      manifest: {
        name: 'uploads',
        version: '1',
        endpoints: [
          {
            ...UPLOAD_ENDPOINT,
            idempotent: true,
            input: Type.Object({ name: Type.String(), file: FileInputSchema() }),
          },
          {
            id: 'note',
            method: 'POST',
            path: '/notes',
            idempotent: true,
            input: Type.Object({ text: Type.String() }),
          },
          { id: 'blob', method: 'PUT', path: '/blob', bodyType: 'raw' },
        ],
      },
    }),
  );
  const logger = new CaptureLogger({ level: 'warn' });
  kernel.register(Ports.Transport, transport()).register(Ports.Clock, new RecordingClock());
  kernel.register(Ports.Logger, logger);
  return { kernel, logger };
}

/** Each attempt's reports: monotonic from 0 and, when the total is known, ending at it exactly once. */
function byAttempt(reports: UploadProgress[]): Map<number, number[]> {
  const attempts = new Map<number, number[]>();
  for (const report of reports) {
    const seen = attempts.get(report.attempt) ?? [];
    seen.push(report.loaded);
    attempts.set(report.attempt, seen);
  }
  return attempts;
}

function expectMonotonic(loaded: number[]): void {
  for (let i = 1; i < loaded.length; i++) expect(loaded[i]).toBeGreaterThanOrEqual(loaded[i - 1]!);
}

/** Upload the file with a recording callback; the kernel is closed after. */
async function uploadReporting(kernel: ReturnType<typeof kernelOver>['kernel']): Promise<UploadProgress[]> {
  const reports: UploadProgress[] = [];
  try {
    await kernel.call(
      'upload',
      { name: 'w', file: { path: file, filename: 'weights.bin' } },
      { onUploadProgress: (p) => reports.push({ ...p }) },
    );
  } finally {
    await kernel.close();
  }
  return reports;
}

/** The server got two sends; the reports show attempt 1 then 2, each from 0 to the total once. */
function expectTwoSendsFromZero(reports: UploadProgress[]): void {
  expect(received).toHaveLength(2);
  const total = received[1]!.length!;
  expect(reports.map((r) => r.attempt)).toEqual([...reports.map((r) => r.attempt)].sort());
  const attempts = byAttempt(reports);
  expect([...attempts.keys()]).toEqual([1, 2]);
  for (const loaded of attempts.values()) {
    expect(loaded[0]).toBe(0);
    expectMonotonic(loaded);
    expect(loaded.filter((n) => n === total)).toEqual([total]);
  }
}

describe.each([
  ['undici', () => new UndiciTransport()],
  ['got', () => new GotTransport()],
])('onUploadProgress over %s', (_name, transport) => {
  it('reports a file part read from disk from 0 to the body total, once at the total, throttled', async () => {
    script = [];
    received.length = 0;
    const { kernel } = kernelOver(transport);
    const reports = await uploadReporting(kernel);
    const total = received[0]!.length!;
    expect(received[0]!.bytes).toBe(total);
    // The multipart body is the file plus part headers and boundaries.
    expect(total).toBeGreaterThan(FILE_BYTES);
    expect(reports.every((r) => r.total === total && r.attempt === 1)).toBe(true);
    const loaded = reports.map((r) => r.loaded);
    expect(loaded[0]).toBe(0);
    expectMonotonic(loaded);
    expect(loaded.filter((n) => n === total)).toHaveLength(1);
    expect(loaded.at(-1)).toBe(total);
    // Throttled: a report per step of the body, not one per chunk (a 3 MiB file is ~200 16 KiB chunks).
    expect(reports.length).toBeLessThanOrEqual(Math.ceil(total / (256 * 1024)) + 2);
    expect(reports.length).toBeGreaterThan(3);
  });

  it('starts again from 0 with the next attempt number after a 503', async () => {
    script = [503];
    received.length = 0;
    const { kernel } = kernelOver(transport);
    const reports = await uploadReporting(kernel);
    expectTwoSendsFromZero(reports);
  });

  it('reports a JSON body once, at its length, on each attempt', async () => {
    script = [503];
    received.length = 0;
    const { kernel } = kernelOver(transport);
    const reports: UploadProgress[] = [];
    try {
      await kernel.call(
        'note',
        { text: 'é'.repeat(1000) },
        { onUploadProgress: (p) => reports.push({ ...p }) },
      );
    } finally {
      await kernel.close();
    }
    const total = received[1]!.bytes;
    expect(total).toBeGreaterThan(2000);
    expect(reports).toEqual([
      { loaded: total, total, attempt: 1 },
      { loaded: total, total, attempt: 2 },
    ]);
  });

  it('counts a streamed raw body, its total unknown, up to the bytes sent', async () => {
    script = [];
    received.length = 0;
    const { kernel } = kernelOver(transport);
    const reports: UploadProgress[] = [];
    const chunks = Array.from({ length: 40 }, () => Buffer.alloc(32 * 1024, 1));
    try {
      await kernel.call('blob', { body: Readable.from(chunks) } as never, {
        onUploadProgress: (p) => reports.push({ ...p }),
      });
    } finally {
      await kernel.close();
    }
    const sent = received[0]!.bytes;
    expect(sent).toBe(40 * 32 * 1024);
    expect(reports.every((r) => r.total === undefined && r.attempt === 1)).toBe(true);
    const loaded = reports.map((r) => r.loaded);
    expect(loaded[0]).toBe(0);
    expectMonotonic(loaded);
    expect(loaded.at(-1)).toBe(sent);
    expect(loaded.filter((n) => n === sent)).toHaveLength(1);
  });

  it('stops reporting once the caller aborts the upload', async () => {
    script = [];
    received.length = 0;
    const { kernel } = kernelOver(transport);
    const reports: UploadProgress[] = [];
    const controller = new AbortController();
    const call = kernel.call(
      'upload',
      { name: 'w', file: { path: file, filename: 'weights.bin' } },
      {
        signal: controller.signal,
        onUploadProgress: (p) => {
          reports.push({ ...p });
          if (p.loaded > 0) controller.abort();
        },
      },
    );
    try {
      await expect(call).rejects.toBeInstanceOf(APIUserAbortError);
    } finally {
      await kernel.close();
    }
    // The report that aborted was the last one: none after it, and none at the total.
    expect(reports.filter((r) => r.loaded > 0)).toHaveLength(1);
    expect(reports.at(-1)!.loaded).toBeLessThan(reports.at(-1)!.total!);
  });

  it('goes on with the upload when the callback throws, and says so once at warn', async () => {
    script = [];
    received.length = 0;
    const { kernel, logger } = kernelOver(transport);
    let calls = 0;
    try {
      const answer = await kernel.call(
        'upload',
        { name: 'w', file: { path: file, filename: 'weights.bin' } },
        {
          onUploadProgress: () => {
            calls++;
            throw new Error('progress bar gone');
          },
        },
      );
      expect(answer).toEqual({ bytes: received[0]!.length });
    } finally {
      await kernel.close();
    }
    // A broken callback is not called again for this call.
    expect(calls).toBe(1);
    const warnings = logger.records.filter((r) => r.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/onUploadProgress.*upload.*threw.*progress bar gone/);
  });
});

describe('onUploadProgress and the body handed over', () => {
  it('counts the resend after a renewed credential as the next attempt, from 0', async () => {
    script = [401];
    received.length = 0;
    const { kernel } = kernelOver(() => new UndiciTransport(), { auth: new ExpiringToken() });
    const reports = await uploadReporting(kernel);
    expectTwoSendsFromZero(reports);
  });

  it('hands the built body to the transport untouched when no callback is given', async () => {
    script = [];
    received.length = 0;
    const built: unknown[] = [];
    const sent: unknown[] = [];
    const recordBuilt: Stage = {
      name: 'record-built',
      run(context, next) {
        built.push(context.request?.body);
        return next();
      },
    };
    const undici = new UndiciTransport();
    const recording: Transport = {
      name: 'recording',
      send(request) {
        sent.push(request.body);
        return undici.send(request);
      },
      close: () => undici.close(),
    };
    const { kernel } = kernelOver(() => recording, { stages: [recordBuilt] });
    const upload = { name: 'w', file: { path: file, filename: 'weights.bin' } };
    try {
      await kernel.call('upload', upload);
      await kernel.call('upload', upload, { onUploadProgress: () => {} });
    } finally {
      await kernel.close();
    }
    expect(sent[0]).toBe(built[0]);
    // With a callback the stream is counted on its way: a wrapper, which is what costs.
    expect(sent[1]).not.toBe(built[1]);
    expect(received.map((r) => r.bytes)).toEqual([received[0]!.length, received[1]!.length]);
  });
});

describe('onUploadProgress checks', () => {
  it('refuses a callback that is not a function, before anything is sent', async () => {
    received.length = 0;
    const { kernel } = kernelOver(() => new UndiciTransport());
    try {
      const error = await kernel.call('note', { text: 'x' }, { onUploadProgress: 'yes' as never }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(/onUploadProgress/);
    } finally {
      await kernel.close();
    }
    expect(received).toEqual([]);
  });
});

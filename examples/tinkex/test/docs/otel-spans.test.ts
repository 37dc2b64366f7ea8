import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { context, trace } from '@opentelemetry/api';
import { docBlock, emulatorForDocs, exampleBody } from './doc-example.js';

/*
 * In a file of its own: the example registers the process's global tracer provider and context
 * manager, as an application does once; they are unregistered afterwards.
 */
describe('docs/tinkex.md "OpenTelemetry spans" runs as written', () => {
  emulatorForDocs('tml-otel-docs-test');
  afterAll(() => {
    trace.disable();
    context.disable();
  });

  it('the docs block is the example file, verbatim', () => {
    expect(exampleBody('otel-spans.ts')).toBe(docBlock('docs/tinkex.md', '### OpenTelemetry spans'));
  });

  it('nests the sample’s call under the application’s span, and its HTTP attempt under the call', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import('../../examples/otel-spans.js');
      expect(log.mock.calls.map((c) => String(c[0]))).toEqual([
        'asample under generate: true',
        'its attempt: POST /api/v1/asample',
      ]);
    } finally {
      log.mockRestore();
    }
  });
});

import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';

// `npm run typecheck` compiles without `exactOptionalPropertyTypes` (the kernel's own sources do not
// build under it), where `{ cursor?: string }` takes `{ cursor: undefined }` anyway. An author may turn
// it on: this compiles their file (fixtures/exact-optional-author.ts) under it and
// `noUncheckedIndexedAccess`, reporting that file's diagnostics only. Before inputs took `undefined` on
// optional members (`CallInput`), each wrapper passing its optional parameter on was an error there.

const root = fileURLToPath(new URL('../../', import.meta.url));
const author = fileURLToPath(new URL('./fixtures/exact-optional-author.ts', import.meta.url));

function diagnosticsUnderExactOptional(file: string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    `${root}tsconfig.json`,
    { exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, noEmit: true },
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => void d },
  );
  if (!parsed) throw new Error('tsconfig.json could not be read');
  const program = ts.createProgram([file], parsed.options);
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => {
    const where =
      d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    return `line ${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0]}`;
  });
}

describe('an author compiling with exactOptionalPropertyTypes', () => {
  it('passes optional parameters on as input members, and still may not leave required ones undefined', () => {
    expect(diagnosticsUnderExactOptional(author)).toEqual([]);
  });

  it('reads kernel options and plugin defaults given as undefined as absent, as their types now allow', async () => {
    const kernel = createKernel({
      logLevel: undefined,
      timeoutMs: undefined,
      maxRetries: undefined,
      shared: undefined,
    });
    const undefinedDefaults = {
      baseUrl: 'http://127.0.0.1:1',
      timeoutMs: undefined,
      maxRetries: undefined,
      breaker: undefined,
      tokenBucket: undefined,
      requestIdHeader: undefined,
      logLevelEnv: undefined,
      query: undefined,
    };
    try {
      expect(() =>
        kernel.use(
          definePlugin({
            name: 'sdk',
            version: '1',
            defaults: undefinedDefaults,
            manifest: { name: 'sdk', version: '1', endpoints: [] },
          }),
        ),
      ).not.toThrow();
      expect(kernel.settings.timeoutMs).toBe(60_000);
      expect(kernel.settings.maxRetries).toBe(2);
    } finally {
      await kernel.close();
    }
  });
});

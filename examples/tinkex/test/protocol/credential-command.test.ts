import { describe, expect, it } from '@jest/globals';
import { PristineError } from 'pristine-kernel';
import { describeError } from '../../src/cli/describe-error.js';
import { CredentialCommandError, CredentialSource, runShellCommand } from '../../src/protocol/credential.js';

/** A real shell runs the command, as TINKER_CREDENTIAL_CMD is run. */
describe('TINKER_CREDENTIAL_CMD failures', () => {
  it('a failing command is a CredentialCommandError with its exit code, and never its output', async () => {
    const failure = await runShellCommand(
      'echo tml-printed-secret-0123456789; echo tml-stderr-secret >&2; exit 3',
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CredentialCommandError);
    // A PristineError, so the pipeline passes it on as it is instead of calling it a connection failure.
    expect(failure).toBeInstanceOf(PristineError);
    expect((failure as Error).message).toBe('TINKER_CREDENTIAL_CMD failed (exit code 3)');
    expect(JSON.stringify(failure) + String((failure as Error).stack)).not.toMatch(/secret/);
  });

  it('a command that cannot be found says so (the shell exits 127)', async () => {
    const failure = await runShellCommand('no-such-credential-helper-x9').catch((e: unknown) => e);
    expect((failure as Error).message).toBe(
      'TINKER_CREDENTIAL_CMD failed (exit code 127: command not found)',
    );
  });

  it('the CLI says the credential command failed and what it must print, not "Connection failed"', () => {
    const cli = describeError(new CredentialCommandError('TINKER_CREDENTIAL_CMD failed (exit code 3)'));
    expect(cli.message).toBe('Could not get a credential: TINKER_CREDENTIAL_CMD failed (exit code 3)');
    expect(cli.details).toMatch(
      /^Run the command yourself: it must exit 0 and print an API key \(tml-…\) or a JWT/,
    );
    expect(cli.details).not.toMatch(/base-url|network/i);
    expect(cli.exitCode).toBe(1);
  });
});

/** A CredentialSource whose command prints `outputs` one run after another, counting its runs. */
function printing(...outputs: string[]) {
  const seen: string[] = [];
  let runs = 0;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const source = new CredentialSource(
    undefined,
    'print-credential',
    () => 0,
    async () => {
      const output = outputs[runs++]!;
      await gate;
      return output;
    },
    (value) => seen.push(value),
  );
  return { source, seen, runs: () => runs, release };
}

describe('what TINKER_CREDENTIAL_CMD prints', () => {
  it('nothing is a CredentialCommandError', async () => {
    const { source, release } = printing('');
    release();
    const failure = await source.get().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CredentialCommandError);
    expect((failure as Error).message).toBe('TINKER_CREDENTIAL_CMD printed nothing');
  });

  it('two lines are a CredentialCommandError naming the count, never the lines', async () => {
    const { source, release, seen } = printing('Fetching token…\ntml-secret-0123456789');
    release();
    const failure = await source.get().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CredentialCommandError);
    expect((failure as Error).message).toMatch(
      /^TINKER_CREDENTIAL_CMD printed 2 lines; it must print the credential alone/,
    );
    expect(String((failure as Error).message)).not.toMatch(/secret|Fetching/);
    expect(seen).toEqual([]);
  });

  it('requests that need it at once share one run, and its output is a secret before anyone gets it', async () => {
    const { source, release, seen, runs } = printing('tml-first-0123456789', 'tml-second-0123456789');
    const both = Promise.all([source.get(), source.get()]);
    release();
    expect(await both).toEqual(['tml-first-0123456789', 'tml-first-0123456789']);
    expect(runs()).toBe(1);
    expect(seen).toEqual(['tml-first-0123456789']);
  });
});

describe('running TINKER_CREDENTIAL_CMD', () => {
  it('leaves no listener on the process once the command ended, however many runs', async () => {
    const before = process.listenerCount('exit');
    for (let i = 0; i < 3; i++) expect(await runShellCommand('echo tml-0123456789')).toBe('tml-0123456789');
    await runShellCommand('exit 2').catch(() => undefined);
    expect(process.listenerCount('exit')).toBe(before);
  });
});

import { describe, expect, it } from '@jest/globals';
import { PristineError } from 'pristine-kernel';
import { describeError } from '../../src/cli/describe-error.js';
import { CredentialCommandError, runShellCommand } from '../../src/protocol/credential.js';

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

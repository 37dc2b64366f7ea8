/** How a key is shown: never (an API key is a secret), as the SDK and the kernel mask credentials. */
const REDACTED = '[REDACTED]';

/**
 * `--account KEY=NAME` (repeatable) as the `accounts` option: API key → account name. The key must be
 * one the emulator accepts (`tml-…`); the name becomes the JWT's `sub` (`urn:tinker:user:NAME`) and
 * email, so it is kept to a plain word. One key given two names is refused rather than the last winning.
 * Throws an Error naming the value (its key masked) and the rule it breaks; the CLI turns it into a
 * usage error.
 */
export function parseAccounts(specs: readonly string[]): Record<string, string> {
  const accounts: Record<string, string> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const key = spec.slice(0, Math.max(eq, 0));
    const name = eq < 0 ? '' : spec.slice(eq + 1);
    // Without "=", the whole value may be the key.
    const shown = `"${eq < 0 ? REDACTED : `${key === '' ? '' : REDACTED}=${name}`}"`;
    if (key === '' || name === '')
      throw new Error(`--account ${shown} must look like KEY=NAME (an API key, "=", an account name)`);
    if (!key.startsWith('tml-') || key.length === 4)
      throw new Error(`--account ${shown}: KEY must be an API key starting with "tml-"`);
    if (!/^[\w.-]+$/.test(name))
      throw new Error(`--account ${shown}: NAME may hold only letters, digits, ".", "_" and "-"`);
    const known = accounts[key];
    if (known !== undefined && known !== name)
      throw new Error(`--account ${shown}: that KEY is already the account ${known}`);
    accounts[key] = name;
  }
  return accounts;
}

/**
 * `--account KEY=NAME` (repeatable) as the `accounts` option: API key → account name. The key must be
 * one the emulator accepts (`tml-…`); the name becomes the JWT's `sub` (`urn:tinker:user:NAME`) and
 * email, so it is kept to a plain word. One key given two names is refused rather than the last winning.
 * Throws an Error naming the value and the rule it breaks; the CLI turns it into a usage error.
 */
export function parseAccounts(specs: readonly string[]): Record<string, string> {
  const accounts: Record<string, string> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const key = spec.slice(0, Math.max(eq, 0));
    const name = eq < 0 ? '' : spec.slice(eq + 1);
    if (key === '' || name === '')
      throw new Error(`--account "${spec}" must look like KEY=NAME (an API key, "=", an account name)`);
    if (!key.startsWith('tml-') || key.length === 4)
      throw new Error(`--account "${spec}": KEY must be an API key starting with "tml-"`);
    if (!/^[\w.-]+$/.test(name))
      throw new Error(`--account "${spec}": NAME may hold only letters, digits, ".", "_" and "-"`);
    const known = accounts[key];
    if (known !== undefined && known !== name)
      throw new Error(`--account "${spec}": KEY ${key} is already the account ${known}`);
    accounts[key] = name;
  }
  return accounts;
}

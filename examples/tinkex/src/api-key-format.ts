/**
 * The one rule an API key's text must follow before anything is sent, shared by the client's options
 * check and the CLI (which words it for its flag and variable, and must not load the SDK to do so).
 * The answer never contains the key.
 */
export function apiKeyProblem(key: string): string | undefined {
  if (key.startsWith('tml-') || key.startsWith('eyJ')) return undefined;
  return 'must start with "tml-" (an API key) or "eyJ" (a JWT)';
}

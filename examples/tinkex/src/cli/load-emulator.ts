/**
 * The emulator is its own package (`tinker-emulator`, an optional dependency of Tinkex): the SDK never
 * needs it, so it is loaded only by the commands that run it (`tinkex emulator`, the offline quickstart).
 */
export async function loadEmulator(specifier = 'tinker-emulator'): Promise<typeof import('tinker-emulator')> {
  try {
    return (await import(specifier)) as typeof import('tinker-emulator');
  } catch (error) {
    // Node says ERR_MODULE_NOT_FOUND, CommonJS-style resolvers (Jest) MODULE_NOT_FOUND; only the package
    // itself missing is explained, a missing module inside it is a real error.
    const code = (error as NodeJS.ErrnoException).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
    if (!missing || !String((error as Error).message).includes(`'${specifier}'`)) throw error;
    throw new Error(
      `the emulator is a separate package that is not installed: run \`npm install ${specifier}\`, ` +
        'or set TINKER_BASE_URL and TINKER_API_KEY to use a real Tinker deployment',
    );
  }
}

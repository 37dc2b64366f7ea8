import { readFile } from 'node:fs/promises';
import { ManifestError } from './manifest-error.js';
import type { ManifestSpec } from './types.js';

/**
 * Load a manifest from a JSON file. It is validated when the plugin registers, like any other. A file
 * that cannot be read is a ManifestError naming its path too, not Node's bare `ENOENT`, so one `catch`
 * of ManifestError covers every way the manifest can be wrong.
 */
export async function loadManifest(file: string): Promise<ManifestSpec> {
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new ManifestError(`manifest file ${file}`, 'path', `cannot be read (${readProblem(error)})`, error);
  });
  try {
    return JSON.parse(text) as ManifestSpec;
  } catch (error) {
    throw new ManifestError(
      `manifest file ${file}`,
      'content',
      `is not valid JSON: ${(error as Error).message}`,
    );
  }
}

/** `ENOENT: no such file or directory`: Node's code and reason, without the path it repeats. */
function readProblem(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const reason = typeof message === 'string' ? /^\w+: ([^,]+)/.exec(message)?.[1] : undefined;
  if (typeof code === 'string') return reason ? `${code}: ${reason}` : code;
  return String(message ?? error);
}

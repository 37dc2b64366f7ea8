import { readFile } from 'node:fs/promises';
import { ManifestError } from './manifest-error.js';
import type { ManifestSpec } from './types.js';

/** Load a manifest from a JSON file. It is validated when the plugin registers, like any other. */
export async function loadManifest(file: string): Promise<ManifestSpec> {
  const text = await readFile(file, 'utf8');
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

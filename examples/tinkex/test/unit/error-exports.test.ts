import { describe, expect, it } from '@jest/globals';
import * as kernel from 'pristine-kernel';
import * as tinkex from '../../src/index.js';

/**
 * A Tinkex user tells failures apart with `instanceof` on classes imported from 'tinkex' (the package
 * they installed; pristine-kernel is its dependency, not theirs). Every error class the kernel can
 * throw from a Tinkex call must be importable from 'tinkex' as the same class. Found by hand: the
 * round-20 kernel classes (SerializationError for an answer that does not decode, PluginError,
 * AuthSchemeError, BodySourceError) and older ones (ResponseValidationError, StreamEventError, …) were not.
 */
const KERNEL_ONLY = new Set([
  // Thrown at kernel.use for a plugin's manifest: Tinkex's manifest is its own, checked by its tests.
  'ManifestError',
]);

describe("the error classes exported by 'tinkex'", () => {
  it('include every error class of the kernel that a Tinkex call can throw, as the same class', () => {
    const kernelErrors = Object.entries(kernel).filter(
      ([name, value]) =>
        typeof value === 'function' && /Error$/.test(name) && value.prototype instanceof Error,
    );
    expect(kernelErrors.length).toBeGreaterThan(20);
    const missing = kernelErrors
      .filter(([name]) => !KERNEL_ONLY.has(name))
      .filter(([name, value]) => (tinkex as Record<string, unknown>)[name] !== value)
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });
});

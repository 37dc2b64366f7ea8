import { expect } from '@jest/globals';
import { ValidationError } from '../../src/kernel/errors/validation-error.js';

/** The ValidationError `run` throws synchronously (failing the test if it throws nothing or another error). */
export function thrown(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

/** The ValidationError `promise` rejects with (failing the test if it resolves or rejects otherwise). */
export async function rejected(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

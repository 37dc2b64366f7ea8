import { expect } from '@jest/globals';
import { ValidationError } from 'pristine-kernel';

/** `error` refuses exactly one key, at `pointer`, as unknown, hinting at the option it meant. */
export function expectMisspeltKey(error: unknown, pointer: string, hint: string): void {
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).issues).toEqual([
    expect.objectContaining({
      pointer,
      rule: 'additionalProperties',
      message: expect.stringContaining(`did you mean "${hint}"`),
    }),
  ]);
}

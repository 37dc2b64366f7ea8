import type { ValidationIssue } from '../../ports/serializer.js';
import { PristineError } from './pristine-error.js';

/**
 * Client-side validation failed; no request was sent. Lists every failing field with its JSON pointer
 * and the rule it broke.
 */
export class ValidationError extends PristineError {
  readonly issues: readonly ValidationIssue[];
  readonly where: string;

  constructor(where: string, issues: readonly ValidationIssue[]) {
    const lines = issues.map(
      (i) => `  ${i.pointer || '/'}: ${i.message}${i.advice ? `; ${i.advice}` : ''} (${i.rule})`,
    );
    super(`Invalid ${where}:\n${lines.join('\n')}`, { category: 'user', retryable: false });
    this.issues = issues;
    this.where = where;
  }

  /** A single-field error, for checks that are not schema-driven. */
  static field(where: string, pointer: string, rule: string, message: string): ValidationError {
    return new ValidationError(where, [{ pointer, rule, message }]);
  }
}

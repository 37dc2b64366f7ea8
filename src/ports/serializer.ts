import type { PortToken } from './port-token.js';
export interface ValidationIssue {
  /** JSON pointer to the failing value, e.g. `/data/0/loss_fn_inputs/target_tokens`. */
  pointer: string;
  message: string;
  /** The schema keyword that failed (`type`, `required`, `additionalProperties`, …). */
  rule: string;
  /**
   * Optional: which case of the rule failed (`scheme`, `query`, …), for a caller that words the issue
   * its own way (a CLI, a form) without parsing the message or the value again. Stable per check.
   */
  code?: string;
  /**
   * Optional: what a program should do instead, kept apart from `message` (which says only what is
   * wrong) so a caller addressing a person can leave it out. ValidationError's text shows both.
   */
  advice?: string;
  /** Optional: the offending part of the value, safe to show (never a secret), e.g. a URL's scheme. */
  found?: string;
}

/** A compiled validator: returns the issues, or an empty list when the value is valid. */
export type CompiledValidator = (value: unknown) => ValidationIssue[];

/**
 * Serializer port: JSON encoding plus schema validation. Validators are compiled once per kernel.
 * `compile` receives plain JSON Schema (TypeBox schemas are JSON Schema).
 */
export interface Serializer {
  readonly contentType: string;
  compile(schema: object, options?: { allowUnknown?: boolean }): CompiledValidator;
  /**
   * Optional: why `schema` is not a valid schema (undefined when it is), without compiling it. The
   * kernel checks every schema when a plugin registers and compiles each validator on first use.
   */
  checkSchema?(schema: object): string | undefined;
  encode(value: unknown): string | Uint8Array;
  decode(bytes: Uint8Array, contentType: string | undefined): unknown;
}

export const SerializerToken = Symbol.for('pristine.port.Serializer') as PortToken<Serializer>;

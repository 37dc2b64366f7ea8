import type { TSchema } from '@sinclair/typebox';
import { headerNameProblem } from '../request/header-checks.js';
import { BODYLESS_METHODS } from '../request/bodyless-methods.js';
import { ManifestError } from './manifest-error.js';
import type { PathTemplate } from './path-template.js';
import type { EndpointSpec } from './types.js';

/** The input properties a schema declares, or undefined when it declares none. */
export function inputProperties(schema: TSchema | undefined): Set<string> | undefined {
  const props = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? new Set(Object.keys(props)) : undefined;
}

/**
 * Where each input property goes: the path, the query, a header or the body. Each param is an input
 * property, and goes to one place only (a key in two lists would be sent twice); a bodyless method's
 * input has no body to put the rest in.
 */
export function checkParams(where: string, spec: EndpointSpec, template: PathTemplate): void {
  const properties = inputProperties(spec.input);
  const required = new Set<string>((spec.input as { required?: string[] } | undefined)?.required ?? []);
  for (const param of template.params) {
    if (!properties) throw new ManifestError(where, 'input', `must declare path param "${param}"`);
    if (!properties.has(param) || !required.has(param)) {
      throw new ManifestError(
        where,
        `path param "${param}"`,
        'is missing from the required input properties',
      );
    }
  }
  const placed = new Map<string, string>(template.params.map((param) => [param, 'a path param']));
  const place = (field: string, key: string, as: string): void => {
    if (!properties?.has(key))
      throw new ManifestError(where, `${field} "${key}"`, 'is not an input property');
    const already = placed.get(key);
    if (already) throw new ManifestError(where, `${field} "${key}"`, `is already ${already}`);
    placed.set(key, as);
  };
  if (spec.query !== undefined && !isStringArray(spec.query))
    throw new ManifestError(where, 'query', 'must be an array of input property names');
  for (const key of spec.query ?? []) place('query', key, 'a query param');
  const headers = spec.headers as unknown;
  if (headers !== undefined && (typeof headers !== 'object' || headers === null || Array.isArray(headers)))
    throw new ManifestError(where, 'headers', 'must be an object of input property → header name');
  for (const [key, header] of Object.entries(spec.headers ?? {})) {
    place('headers', key, 'a header');
    // The rule every sent header is checked against (check-headers), applied once here.
    const problem = typeof header === 'string' ? headerNameProblem(header) : 'is not a string';
    if (problem) throw new ManifestError(where, `headers "${key}"`, `"${String(header)}" ${problem}`);
  }
  if (spec.multiSegment !== undefined && !isStringArray(spec.multiSegment))
    throw new ManifestError(where, 'multiSegment', 'must be an array of path param names');
  for (const key of spec.multiSegment ?? []) {
    if (!template.params.includes(key))
      throw new ManifestError(where, `multiSegment "${key}"`, 'is not a path param');
  }
  if (BODYLESS_METHODS.has(spec.method)) {
    // build-body sends no body for these methods, so any other input key would be validated on every
    // call and then silently dropped.
    const unsent = [...(properties ?? [])].find((key) => !placed.has(key));
    if (unsent !== undefined) {
      throw new ManifestError(
        where,
        `input property "${unsent}"`,
        `is never sent: a ${spec.method} request has no body, so list it in query or headers`,
      );
    }
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

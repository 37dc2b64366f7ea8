import { ValidationError } from '../errors/validation-error.js';

export interface PathTemplate {
  readonly params: readonly string[];
  /** Expand the template, percent-encoding every value. */
  expand(values: Record<string, unknown>, multiSegment: ReadonlySet<string>): string;
}

const PARAM = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function parsePathTemplate(path: string): PathTemplate {
  const params = [...path.matchAll(PARAM)].map((m) => m[1]);
  const pieces = path.split(PARAM); // literal, name, literal, name, …
  return {
    params,
    expand(values, multiSegment) {
      let out = '';
      for (let i = 0; i < pieces.length; i++) {
        if (i % 2 === 0) {
          out += pieces[i];
          continue;
        }
        const name = pieces[i];
        const value = values[name];
        if (value === undefined || value === null || value === '') {
          throw ValidationError.field('path', `/${name}`, 'required', `path parameter "${name}" is required`);
        }
        out += encodePathValue(String(value), multiSegment.has(name));
      }
      return out;
    },
  };
}

/**
 * Percent-encode one path segment. `encodeURIComponent` escapes `/`, `?` and `#`, so a value can never
 * leave its segment; `:` and `@` are legal in a segment (RFC 3986 pchar) and ids such as `S:train:0`
 * go out raw, as other clients send them.
 */
function encodeSegment(value: string): string {
  return encodeURIComponent(value).replace(/%3A/gi, ':').replace(/%40/gi, '@');
}

/** Multi-segment params keep `/` but may not smuggle `.` or `..` segments. */
function encodePathValue(value: string, multiSegment: boolean): string {
  if (!multiSegment) return encodeSegment(value);
  const segments = value.split('/');
  if (segments.some((s) => s === '..' || s === '.')) {
    throw ValidationError.field(
      'path',
      '/',
      'pattern',
      'path parameter may not contain "." or ".." segments',
    );
  }
  return segments.map(encodeSegment).join('/');
}

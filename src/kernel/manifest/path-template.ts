import { ValidationError } from '../errors/validation-error.js';

export interface PathTemplate {
  readonly params: readonly string[];
  /** Expand the template, percent-encoding every value. */
  expand(values: Record<string, unknown>, multiSegment: ReadonlySet<string>): string;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
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
        out += encodePathValue(name, pathValue(name, values[name]), multiSegment.has(name));
      }
      return out;
    },
  };
}

/**
 * Why a manifest path cannot be a template, or undefined. A query or fragment in it would be sent with
 * the query appended after it (`/a?x=1?y=2`); a brace outside `{name}` is a param the author meant
 * (`{id` unclosed, `{my-id}`) that would go out literally.
 */
export function pathShapeProblem(path: string): string | undefined {
  if (path.includes('?'))
    return `"${path}" holds a query: list query params in "query" (fixed ones in the plugin's defaults.query)`;
  if (path.includes('#')) return `"${path}" holds a fragment, which is never sent`;
  const brace = /[{}]/.exec(path.replace(PARAM, ''))?.[0];
  if (brace !== undefined)
    return `"${path}" has a "${brace}" outside a param ({name}: a letter or _, then letters, digits or _)`;
  return undefined;
}

/**
 * Percent-encode one path segment. `encodeURIComponent` escapes `/`, `?` and `#`, so a value can never
 * leave its segment; `:` and `@` are legal in a segment (RFC 3986 pchar) and ids such as `S:train:0`
 * go out raw, as other clients send them.
 */
function encodeSegment(value: string): string {
  return encodeURIComponent(value).replace(/%3A/gi, ':').replace(/%40/gi, '@');
}

/** The text of one path parameter: a non-empty string, a finite number or a bigint. */
function pathValue(name: string, value: unknown): string {
  if (value === undefined || value === null || value === '') {
    throw ValidationError.field('path', `/${name}`, 'required', `path parameter "${name}" is required`);
  }
  if (typeof value === 'string') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint')
    return String(value);
  throw ValidationError.field(
    'path',
    `/${name}`,
    'type',
    `path parameter "${name}" must be a string or a finite number, got ${typeof value === 'number' ? value : typeof value}`,
  );
}

/**
 * `.` and `..` are dot-segments: URL normalisation (ours, a proxy's or the server's) removes them, so
 * `tinker://../weights/x` would address `/training_runs/checkpoints/…`, another resource. An empty
 * segment (`a//b`) likewise addresses a different route. Neither is ever sent.
 */
function encodePathValue(name: string, value: string, multiSegment: boolean): string {
  if (!multiSegment) {
    checkSegment(name, value);
    return encodeSegment(value);
  }
  const segments = value.split('/');
  for (const segment of segments) checkSegment(name, segment);
  return segments.map(encodeSegment).join('/');
}

function checkSegment(name: string, segment: string): void {
  // A lone surrogate has no UTF-8 form: `encodeURIComponent` would throw a URIError.
  if (LONE_SURROGATE.test(segment)) {
    throw ValidationError.field(
      'path',
      `/${name}`,
      'unicode',
      `path parameter "${name}" contains a lone UTF-16 surrogate, which has no UTF-8 form`,
    );
  }
  if (segment === '.' || segment === '..') {
    throw ValidationError.field(
      'path',
      `/${name}`,
      'dot-segment',
      `path parameter "${name}" may not be (or contain) a "." or ".." segment`,
    );
  }
  if (segment === '') {
    throw ValidationError.field(
      'path',
      `/${name}`,
      'empty-segment',
      `path parameter "${name}" may not contain an empty segment`,
    );
  }
}

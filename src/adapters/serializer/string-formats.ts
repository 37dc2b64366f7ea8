import { isIPv4, isIPv6 } from 'node:net';
import type { Ajv } from 'ajv';

/**
 * The `format`s a schema may name, checked by the JSON serializer: JSON Schema's common string formats
 * and OpenAPI's. Ajv knows none of them by itself; without these it ignored every format (and printed a
 * warning on the console), so `Type.String({ format: 'email' })` let anything through. A format not in
 * this table is refused when the plugin is registered (see `uncheckedFormat`), not silently ignored.
 */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})(\.\d+)?(z|[+-](\d{2}):(\d{2}))$/i;
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

function isDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Day 0 of the next month is this month's last day (February 29 only in leap years).
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isTime(text: string): boolean {
  const match = TIME.exec(text);
  if (!match) return false;
  const [hour, minute, second] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const offsetOk = match[6] === undefined || (Number(match[6]) <= 23 && Number(match[7]) <= 59);
  // Second 60 is a leap second (RFC 3339).
  return hour <= 23 && minute <= 59 && second <= 60 && offsetOk;
}

function isHostname(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  return name.length >= 1 && name.length <= 253 && name.split('.').every((label) => HOST_LABEL.test(label));
}

function isRegex(text: string): boolean {
  try {
    new RegExp(text, 'u');
    return true;
  } catch {
    return false;
  }
}

const STRING_FORMATS: Record<string, (text: string) => boolean> = {
  date: isDate,
  time: isTime,
  'date-time': (text) => {
    const at = text.search(/[Tt ]/);
    return at === 10 && isDate(text.slice(0, at)) && isTime(text.slice(at + 1));
  },
  email: (text) => /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/.test(text),
  // An absolute URI: a scheme, then no whitespace.
  uri: (text) => /^[a-z][a-z0-9+.-]*:\S+$/i.test(text),
  'uri-reference': (text) => !/\s/.test(text),
  uuid: (text) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text),
  hostname: isHostname,
  ipv4: isIPv4,
  ipv6: isIPv6,
  regex: isRegex,
  // OpenAPI: base64 bytes; `binary` and `password` only describe the value.
  byte: (text) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text),
  binary: () => true,
  password: () => true,
};

const NUMBER_FORMATS: Record<string, (value: number) => boolean> = {
  int32: (value) => Number.isInteger(value) && value >= -(2 ** 31) && value <= 2 ** 31 - 1,
  int64: (value) => Number.isInteger(value),
  float: (value) => Number.isFinite(value),
  double: (value) => Number.isFinite(value),
};

/** Teach an Ajv instance every format of the tables above. */
export function addFormats(ajv: Ajv): Ajv {
  for (const [name, validate] of Object.entries(STRING_FORMATS))
    ajv.addFormat(name, { type: 'string', validate });
  for (const [name, validate] of Object.entries(NUMBER_FORMATS))
    ajv.addFormat(name, { type: 'number', validate });
  return ajv;
}

/** Members whose values are data, not schemas: a `format` key inside them is no format. */
const DATA_KEYWORDS = new Set(['const', 'default', 'enum', 'examples', 'example']);

const NUMERIC_TYPES = new Set(['number', 'integer']);

/**
 * Why a schema's `format` would go unchecked: no table knows it, or its `type` admits only values of
 * the other kind (Ajv applies a format to values of its own type and lets every other value through).
 */
function formatProblem(format: string, type: unknown): string | undefined {
  const numeric = format in NUMBER_FORMATS;
  if (!numeric && !(format in STRING_FORMATS)) {
    return `is unknown (known: ${[...Object.keys(STRING_FORMATS), ...Object.keys(NUMBER_FORMATS)].join(', ')})`;
  }
  const types = typeof type === 'string' ? [type] : Array.isArray(type) ? (type as unknown[]) : [];
  const checked = types.filter((t) => (numeric ? NUMERIC_TYPES.has(t as string) : t === 'string'));
  if (types.length > 0 && checked.length === 0) {
    return `checks ${numeric ? 'numbers' : 'strings'}, not type ${types.map((t) => `"${String(t)}"`).join(' or ')}`;
  }
  return undefined;
}

/** `format "x" at /properties/y is unknown (…)` for the first format nothing would check, else undefined. */
export function uncheckedFormat(schema: unknown, pointer = ''): string | undefined {
  if (schema === null || typeof schema !== 'object') return undefined;
  if (Array.isArray(schema)) {
    for (let i = 0; i < schema.length; i++) {
      const found = uncheckedFormat(schema[i], `${pointer}/${i}`);
      if (found) return found;
    }
    return undefined;
  }
  const { format, type } = schema as { format?: unknown; type?: unknown };
  if (typeof format === 'string') {
    const problem = formatProblem(format, type);
    if (problem) return `format "${format}" at ${pointer || '/'} ${problem}`;
  }
  for (const [key, value] of Object.entries(schema)) {
    if (DATA_KEYWORDS.has(key)) continue;
    const found = uncheckedFormat(value, `${pointer}/${key}`);
    if (found) return found;
  }
  return undefined;
}

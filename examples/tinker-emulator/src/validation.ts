/**
 * A small strict validator for request bodies. Unknown fields and wrong types are rejected with the
 * path of the offending field; optional `type` discriminators, explicit nulls and omitted defaults (what
 * official SDK versions send) stay valid.
 */
export type Rule =
  | { kind: 'string' | 'int' | 'number' | 'bool' | 'any' }
  | { kind: 'literal'; value: string }
  | { kind: 'object'; fields: Record<string, Rule>; open?: boolean }
  | { kind: 'record'; of: Rule }
  | { kind: 'array'; of: Rule }
  | { kind: 'optional'; of: Rule }
  | { kind: 'nullable'; of: Rule }
  | { kind: 'union'; of: Rule[] };

export const S = {
  str: { kind: 'string' } as Rule,
  int: { kind: 'int' } as Rule,
  num: { kind: 'number' } as Rule,
  bool: { kind: 'bool' } as Rule,
  any: { kind: 'any' } as Rule,
  lit: (value: string): Rule => ({ kind: 'literal', value }),
  obj: (fields: Record<string, Rule>, open = false): Rule => ({ kind: 'object', fields, open }),
  rec: (of: Rule): Rule => ({ kind: 'record', of }),
  arr: (of: Rule): Rule => ({ kind: 'array', of }),
  opt: (of: Rule): Rule => ({ kind: 'optional', of }),
  nullable: (of: Rule): Rule => ({ kind: 'nullable', of }),
  /** Optional and may be an explicit null. */
  maybe: (of: Rule): Rule => ({ kind: 'optional', of: { kind: 'nullable', of } }),
  union: (...of: Rule[]): Rule => ({ kind: 'union', of }),
};

/** A problem and the keys leading to it, innermost last (collected on the way back up). */
interface Found {
  keys: (string | number)[];
  problem: string;
}

/** The first problem found, or undefined when the value matches. */
export function validate(value: unknown, rule: Rule): { field: string; problem: string } | undefined {
  const found = check(value, rule);
  if (!found) return undefined;
  let field = '';
  for (const key of found.keys)
    field = typeof key === 'number' ? `${field}[${key}]` : field ? `${field}.${key}` : key;
  return { field: field || '(body)', problem: found.problem };
}

/** The keys of the path are added only when a problem comes back: a valid body builds no path strings. */
function within(key: string | number, found: Found | undefined): Found | undefined {
  if (found) found.keys.unshift(key);
  return found;
}

const fail = (problem: string): Found => ({ keys: [], problem });

function check(value: unknown, rule: Rule): Found | undefined {
  switch (rule.kind) {
    case 'any':
      return undefined;
    case 'string':
      return typeof value === 'string' ? undefined : fail('must be a string');
    case 'int':
      return Number.isInteger(value) ? undefined : fail('must be an integer');
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : fail('must be a number');
    case 'bool':
      return typeof value === 'boolean' ? undefined : fail('must be a boolean');
    case 'literal':
      return value === rule.value ? undefined : fail(`must be "${rule.value}"`);
    case 'optional':
      return value === undefined ? undefined : check(value, rule.of);
    case 'nullable':
      return value === null ? undefined : check(value, rule.of);
    case 'array':
      if (!Array.isArray(value)) return fail('must be an array');
      for (let i = 0; i < value.length; i++) {
        const found = within(i, check(value[i], rule.of));
        if (found) return found;
      }
      return undefined;
    case 'record':
      if (!isObject(value)) return fail('must be an object');
      for (const k in value) {
        const found = within(k, check(value[k], rule.of));
        if (found) return found;
      }
      return undefined;
    case 'object': {
      if (!isObject(value)) return fail('must be an object');
      for (const name in rule.fields) {
        const fieldRule = rule.fields[name];
        const present = Object.prototype.hasOwnProperty.call(value, name);
        if (!present && fieldRule.kind !== 'optional') return { keys: [name], problem: 'is required' };
        const found = within(name, check(value[name], fieldRule));
        if (found) return found;
      }
      if (!rule.open) {
        for (const name in value) {
          if (!Object.hasOwn(rule.fields, name)) return { keys: [name], problem: 'is not a known field' };
        }
      }
      return undefined;
    }
    case 'union': {
      let first: Found | undefined;
      for (const option of rule.of) {
        const found = check(value, option);
        if (!found) return undefined;
        first ??= found;
      }
      return first;
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

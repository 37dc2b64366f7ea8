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

/** The first problem found, or undefined when the value matches. */
export function validate(
  value: unknown,
  rule: Rule,
  path = '',
): { field: string; problem: string } | undefined {
  const fail = (problem: string) => ({ field: path || '(body)', problem });
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
      return value === undefined ? undefined : validate(value, rule.of, path);
    case 'nullable':
      return value === null ? undefined : validate(value, rule.of, path);
    case 'array':
      if (!Array.isArray(value)) return fail('must be an array');
      for (let i = 0; i < value.length; i++) {
        const problem = validate(value[i], rule.of, `${path}[${i}]`);
        if (problem) return problem;
      }
      return undefined;
    case 'record':
      if (!isObject(value)) return fail('must be an object');
      for (const [k, v] of Object.entries(value)) {
        const problem = validate(v, rule.of, join(path, k));
        if (problem) return problem;
      }
      return undefined;
    case 'object': {
      if (!isObject(value)) return fail('must be an object');
      for (const [name, fieldRule] of Object.entries(rule.fields)) {
        const present = Object.prototype.hasOwnProperty.call(value, name);
        if (!present && fieldRule.kind !== 'optional')
          return { field: join(path, name), problem: 'is required' };
        const problem = validate((value as Record<string, unknown>)[name], fieldRule, join(path, name));
        if (problem) return problem;
      }
      if (!rule.open) {
        for (const name of Object.keys(value)) {
          if (!(name in rule.fields)) return { field: join(path, name), problem: 'is not a known field' };
        }
      }
      return undefined;
    }
    case 'union': {
      let first: { field: string; problem: string } | undefined;
      for (const option of rule.of) {
        const problem = validate(value, option, path);
        if (!problem) return undefined;
        first ??= problem;
      }
      return first;
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

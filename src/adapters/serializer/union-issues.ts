import type { ErrorObject } from 'ajv';

/**
 * One clear issue per union (`anyOf` / `oneOf`) instead of every branch's. ajv reports a value that fits
 * no branch with each branch's errors and the union's "must match a schema in anyOf": `stop: [-1]`
 * against `string | string[] | integer≥0[]` read five lines (one twice), four about branches the value
 * never took. The branch that applies is the one the value got furthest into:
 *
 * - a branch that fails at the union's own field on the value's kind (`type`, `const`, `enum`) was not
 *   taken, nor is `null` for a value that is not null (TypeBox's nullable);
 * - nor is an object branch whose tag property (a `const`) names another;
 * - of the branches taken, the one with the fewest shape errors (a wrong kind of value, a missing or
 *   unknown property), then the fewest errors, wins, and its issues stand alone (`/stop/0: must be >= 0`);
 * - when none was taken, or two are equally close (`['a', 3]`: an array of strings but for item 1, of
 *   integers but for item 0), one issue at the field says what would do: "must be a string, an array of
 *   strings or an array of integers ≥ 0", naming the close branches' first issue.
 *
 * Innermost unions first, so a union inside another (a nullable union) is one candidate of the outer.
 * `schemaAt` finds a union's branches (by its error's `schemaPath`) to word the alternatives.
 */
export function withUnionsResolved(
  errors: readonly ErrorObject[],
  isNull: (pointer: string) => boolean,
  schemaAt: (schemaPath: string) => unknown,
): ErrorObject[] {
  let result = [...errors];
  const unions = errors.filter(isUnion).sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  for (const union of unions) {
    if (!result.includes(union)) continue;
    const prefix = `${union.schemaPath}/`;
    const group = result.filter((e) => e !== union && e.schemaPath.startsWith(prefix));
    if (group.length === 0) continue; // oneOf matched several branches: its own message says so
    const branchSchemas = schemaAt(union.schemaPath);
    const replacement = resolve(union, group, prefix, {
      valueIsNull: isNull(union.instancePath),
      branchSchemas: Array.isArray(branchSchemas) ? (branchSchemas as unknown[]) : [],
    });
    const first = result.findIndex((e) => e === union || group.includes(e));
    result = result.filter((e) => e !== union && !group.includes(e));
    result.splice(first, 0, ...replacement);
  }
  return result;
}

const isUnion = (e: ErrorObject) => e.keyword === 'anyOf' || e.keyword === 'oneOf';

const SHAPE = new Set(['type', 'required', 'additionalProperties', 'const', 'enum']);

/** `pointer` is a direct property or item of `parent` (`/chunks/0/type` of `/chunks/0`). */
function isChildOf(pointer: string, parent: string): boolean {
  return pointer.startsWith(`${parent}/`) && !pointer.slice(parent.length + 1).includes('/');
}

/** Marks a summary whose union no branch of was taken (a wrong kind for an enclosing union too). */
const NOT_TAKEN = 'notTaken';

function resolve(
  union: ErrorObject,
  group: ErrorObject[],
  prefix: string,
  { valueIsNull, branchSchemas }: { valueIsNull: boolean; branchSchemas: unknown[] },
): ErrorObject[] {
  const branches = new Map<number, ErrorObject[]>();
  for (const e of group) {
    const index = Number(e.schemaPath.slice(prefix.length).split('/')[0]);
    branches.set(index, [...(branches.get(index) ?? []), e]);
  }
  const wrongKind = (e: ErrorObject) =>
    e.instancePath === union.instancePath &&
    (e.keyword === 'type' ||
      e.keyword === 'const' ||
      e.keyword === 'enum' ||
      (isUnion(e) && (e.params as Record<string, unknown>)[NOT_TAKEN] === true));
  const isNullBranch = (list: ErrorObject[]) =>
    !valueIsNull &&
    list.length === 1 &&
    list[0].keyword === 'type' &&
    (list[0].params as { type?: unknown }).type === 'null';
  const candidates = [...branches.entries()].filter(([, list]) => !isNullBranch(list));
  if (candidates.length === 1) return candidates[0][1];
  // A tag property that names another branch (`type: 'image'` against the text chunk's `const`).
  const otherTag = (e: ErrorObject) =>
    (e.keyword === 'const' || e.keyword === 'enum') && isChildOf(e.instancePath, union.instancePath);
  const taken = candidates.filter(([, list]) => !list.every(wrongKind) && !list.some(otherTag));
  // Shape errors (a wrong kind of value, a missing or unknown property) weigh more than a bound.
  const score = (list: ErrorObject[]) => list.filter((e) => SHAPE.has(e.keyword)).length * 1e6 + list.length;
  const best = Math.min(...taken.map(([, list]) => score(list)));
  const closest = taken.filter(([, list]) => score(list) === best);
  if (closest.length === 1) return closest[0][1];
  const forms = orList(branchSchemas.flatMap((s) => formsOf(s)));
  // Where each close branch failed, when that says more than the list of forms (an item, a property).
  const why = closest
    .filter(([, list]) => list[0].instancePath !== union.instancePath)
    .map(([index, list]) => `as ${formsOf(branchSchemas[index]).join(' or ')}, ${describe(list[0])}`);
  const message = `must be ${forms}${why.length > 0 ? ` (${why.join('; ')})` : ''}`;
  return [{ ...union, message, params: { ...union.params, [NOT_TAKEN]: closest.length === 0 } }];
}

function describe(e: ErrorObject): string {
  const pointer = e.instancePath;
  return `${pointer || '/'} ${e.message ?? 'is invalid'}`;
}

function orList(items: string[]): string {
  const unique = [...new Set(items)];
  if (unique.length <= 1) return unique[0] ?? 'one of its forms';
  return `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1]}`;
}

/** What a branch schema accepts, in words ("a string", "an array of integers ≥ 0"); a union gives each of its own. */
function formsOf(schema: unknown): string[] {
  if (schema === null || typeof schema !== 'object') return ['a value of another form'];
  const s = schema as Record<string, unknown>;
  const union = s.anyOf ?? s.oneOf;
  if (Array.isArray(union)) return union.flatMap((b) => formsOf(b));
  return [noun(s, false)];
}

const SAFE = Number.MAX_SAFE_INTEGER;

function noun(s: Record<string, unknown>, plural: boolean): string {
  if ('const' in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  const bounds = [
    typeof s.minimum === 'number' && Math.abs(s.minimum) !== SAFE ? `≥ ${s.minimum}` : undefined,
    typeof s.exclusiveMinimum === 'number' ? `> ${s.exclusiveMinimum}` : undefined,
    typeof s.maximum === 'number' && Math.abs(s.maximum) !== SAFE ? `≤ ${s.maximum}` : undefined,
    typeof s.exclusiveMaximum === 'number' ? `< ${s.exclusiveMaximum}` : undefined,
  ].filter((b) => b !== undefined);
  const suffix = bounds.length > 0 ? ` ${bounds.join(' and ')}` : '';
  const names: Record<string, [string, string]> = {
    null: ['null', 'nulls'],
    string: ['a string', 'strings'],
    integer: ['an integer', 'integers'],
    number: ['a number', 'numbers'],
    boolean: ['a boolean', 'booleans'],
  };
  if (typeof type === 'string' && names[type]) return `${names[type][plural ? 1 : 0]}${suffix}`;
  if (type === 'array') {
    const items = s.items;
    const of =
      items && typeof items === 'object' && !Array.isArray(items)
        ? ` of ${noun(items as Record<string, unknown>, true)}`
        : '';
    return `${plural ? 'arrays' : 'an array'}${of}`;
  }
  const required = Array.isArray(s.required) && s.required.length > 0 ? ` with ${s.required.join(', ')}` : '';
  if (type === 'object' || required) return `${plural ? 'objects' : 'an object'}${required}`;
  return plural ? 'values of another form' : 'a value of another form';
}

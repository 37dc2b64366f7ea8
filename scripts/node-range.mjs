// Does a Node version satisfy a package's `engines.node` range? npm's semver grammar, only as far as
// the ranges in our dependency tree use it: `||` alternatives of space-separated comparators, each an
// optional operator (>=, >, <=, <, =, ^, ~; a space may follow it) and a full or partial version
// (`20`, `20.19`, `10.*`, `*`). npm warns EBADENGINE when the running Node is outside the range; the
// engines test and the pack-and-install check use this to ask that for the oldest Node we support,
// whichever Node runs them. Anything else throws, so a new form fails loudly instead of passing.

/** [major, minor, patch] of `v20.19.0` or `20.19.0`. */
export function parseVersion(version) {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!match) throw new Error(`not a Node version: ${version}`);
  return match.slice(1).map(Number);
}

const compare = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** `20` → [20], `20.19.x` → [20, 19]: the parts given, a wildcard ending them. */
function partial(text, range) {
  const parts = [];
  if (text === '') return parts;
  for (const part of text.split('.')) {
    if (/^[xX*]$/.test(part)) break;
    if (!/^\d+$/.test(part) || parts.length === 3) throw new Error(`unsupported engines range: ${range}`);
    parts.push(Number(part));
  }
  return parts;
}

/** The smallest version a partial one stands for, and the one just past its wildcard (for `20.x`). */
const low = (p) => [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0];
const next = (p) => (p.length === 1 ? [p[0] + 1, 0, 0] : [p[0], p[1] + 1, 0]);

function comparatorHolds(op, parts, v, range) {
  if (parts.length === 0) return op === '' || op === '>=' || op === '^' || op === '~' || op === '<=';
  const full = parts.length === 3;
  switch (op) {
    case '>=':
      return compare(v, low(parts)) >= 0;
    case '>':
      return full ? compare(v, parts) > 0 : compare(v, next(parts)) >= 0;
    case '<':
      return compare(v, low(parts)) < 0;
    case '<=':
      return full ? compare(v, parts) <= 0 : compare(v, next(parts)) < 0;
    case '':
    case '=':
      return full ? compare(v, parts) === 0 : compare(v, low(parts)) >= 0 && compare(v, next(parts)) < 0;
    case '^': {
      // The first non-zero part may not change (^0.2.3 := >=0.2.3 <0.3.0).
      const upper = parts[0] > 0 || parts.length === 1 ? [parts[0] + 1, 0, 0] : next(parts.slice(0, 2));
      return compare(v, low(parts)) >= 0 && compare(v, upper) < 0;
    }
    case '~':
      return compare(v, low(parts)) >= 0 && compare(v, next(parts.slice(0, 2))) < 0;
    default:
      throw new Error(`unsupported engines range: ${range}`);
  }
}

/** Whether `version` (e.g. `20.19.0`) satisfies `range` (e.g. `^20.19.0 || >=22.12.0`). */
export function satisfiesNode(version, range) {
  const v = parseVersion(version);
  return range.split('||').some((alternative) => {
    const comparators = alternative.trim().match(/(?:[<>]=?|=|\^|~)?\s*[^\s<>=^~]+/g) ?? [''];
    return comparators.every((comparator) => {
      const [, op, text] = /^([<>]=?|=|\^|~)?\s*(.*)$/.exec(comparator.trim());
      if (/[^\d.xX*]/.test(text)) throw new Error(`unsupported engines range: ${range}`);
      return comparatorHolds(op ?? '', partial(text, range), v, range);
    });
  });
}

/** The oldest release of each Node line we support (`engines`: ^20.19.0 || >=22.12.0), and Node 24's. */
export const OLDEST_NODES = ['20.19.0', '22.12.0', '24.0.0'];

/**
 * `path@version wants RANGE, not NODE` for each package of a package-lock.json (`packages`, which
 * records each one's engines) that `npm install` on one of `nodes` would warn EBADENGINE about.
 */
export function refusedEngines(lockPackages, nodes = OLDEST_NODES) {
  return Object.entries(lockPackages).flatMap(([path, { version, engines }]) => {
    const range = engines?.node;
    if (typeof range !== 'string') return [];
    return nodes
      .filter((node) => !satisfiesNode(node, range))
      .map((node) => `${path}@${version} wants ${range}, not ${node}`);
  });
}

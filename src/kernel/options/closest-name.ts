/**
 * The known name a misspelt option most likely meant, for "did you mean" hints: the same name in
 * another case style (`timeout_ms` for `timeoutMs`), else the nearest within two edits; undefined when
 * nothing is that close (a hint that is a guess helps nobody).
 */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  const folded = fold(name);
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const candidateFolded = fold(candidate);
    if (candidateFolded === folded) return candidate;
    const distance = editDistance(folded, candidateFolded, bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Lower case without `_` and `-`: `max_retries`, `maxRetries` and `max-retries` fold alike. */
function fold(name: string): string {
  return name.replace(/[_-]/g, '').toLowerCase();
}

/** Levenshtein distance, or `limit` as soon as it is known to be at least that. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      rowMin = Math.min(rowMin, current[j]);
    }
    if (rowMin >= limit) return limit;
    previous = current;
  }
  return Math.min(previous[b.length], limit);
}

/**
 * Read a server-given delay: `retry-after-ms` (milliseconds), then `Retry-After` as seconds or an
 * HTTP date. Returns undefined for garbage or values outside [0, maxMs], so the caller falls back to
 * its computed backoff (openai-node's rule).
 */
export function parseRetryAfter(
  headers: Record<string, string>,
  now: number,
  maxMs = 60_000,
): number | undefined {
  const inRange = (ms: number) => (Number.isFinite(ms) && ms >= 0 && ms <= maxMs ? ms : undefined);
  const ms = headers['retry-after-ms'];
  if (ms !== undefined && ms.trim() !== '') {
    const parsed = inRange(Number(ms));
    if (parsed !== undefined) return parsed;
  }
  const value = headers['retry-after'];
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return inRange(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return inRange(Math.max(0, date - now));
}

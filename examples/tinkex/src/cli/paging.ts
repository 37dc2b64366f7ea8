import type { CliContext } from './context.js';

export interface Page<T> {
  items: T[];
  total: number;
}

/**
 * Fetch up to `limit` items (0 = all) in pages of `pageSize`, as `tinker` does: the first page tells the
 * total, the rest are fetched with a progress bar on stderr (table format only: `CliContext.term`). Stops
 * early on a short page.
 */
export async function collectPages<T>(
  ctx: CliContext,
  label: string,
  limit: number,
  pageSize: number,
  fetchPage: (limit: number, offset: number) => Promise<Page<T>>,
): Promise<{ items: T[]; total: number }> {
  const first = await fetchPage(limit > 0 ? Math.min(pageSize, limit) : pageSize, 0);
  const items = [...first.items];
  const target = Math.min(limit > 0 ? limit : first.total, first.total);
  if (items.length < target) {
    const name = `Fetching ${limit === 0 ? 'all' : target} ${label}`;
    try {
      while (items.length < target) {
        ctx.signal.throwIfAborted();
        ctx.term.progress(name, items.length, target, `${items.length}/${target}`);
        const want = Math.min(pageSize, target - items.length);
        const page = await fetchPage(want, items.length);
        items.push(...page.items);
        if (page.items.length < want) break;
      }
      ctx.term.progress(name, items.length, target, `${items.length}/${target}`);
    } finally {
      ctx.term.endProgress();
    }
  }
  return { items, total: first.total };
}

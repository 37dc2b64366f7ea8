import { PristineError } from '../errors/pristine-error.js';
import { ValidationError } from '../errors/validation-error.js';
import { collectPages } from './collect-pages.js';
import type { PaginationSpec } from '../manifest/types.js';
import type { CallOptions, CallResult } from '../pipeline/context.js';

export interface PageHost {
  execute(endpointId: string, input: unknown, options?: CallOptions): Promise<CallResult>;
  paginationOf(endpointId: string): PaginationSpec | undefined;
}

/** An async iterable of items across pages, with `toArray({ max })`. */
export interface PageIterable<T> extends AsyncIterable<T> {
  toArray(options?: { max?: number | undefined }): Promise<T[]>;
}

/**
 * Iterate every item of a paginated endpoint, driven by the manifest's pagination metadata. Pages are
 * fetched lazily: stopping early fetches nothing more.
 */
export function paginate<T = unknown>(
  host: PageHost,
  endpointId: string,
  input: Record<string, unknown> = {},
  options: CallOptions & { pageSize?: number } = {},
): PageIterable<T> {
  const spec = host.paginationOf(endpointId);
  if (!spec) throw new PristineError(`Endpoint "${endpointId}" declares no pagination`);
  // A page size with nowhere to go would be dropped silently, and the pages come in the server's size.
  if (options.pageSize !== undefined && !spec.limitParam) {
    const message = "cannot be sent: the endpoint's pagination declares no limitParam";
    throw new ValidationError(`paginate options for "${endpointId}"`, [
      { pointer: '/pageSize', rule: 'pagination', message },
    ]);
  }
  const iterate = async function* (): AsyncGenerator<T> {
    const limitParam = spec.limitParam;
    const pageInput: Record<string, unknown> = { ...input };
    if (limitParam && options.pageSize !== undefined) pageInput[limitParam] = options.pageSize;
    let offset = spec.style === 'offset' ? Number(input[spec.offsetParam] ?? 0) : 0;
    for (;;) {
      if (spec.style === 'offset') pageInput[spec.offsetParam] = offset;
      const { body } = await host.execute(endpointId, pageInput, options);
      const items = (readPath(body, spec.items) as T[] | undefined) ?? [];
      for (const item of items) yield item;
      if (items.length === 0) return;
      if (spec.style === 'offset') {
        offset += items.length;
        const total = spec.total ? (readPath(body, spec.total) as number | undefined) : undefined;
        if (total !== undefined && offset >= total) return;
        const limit = limitParam ? (pageInput[limitParam] as number | undefined) : undefined;
        if (limit !== undefined && items.length < limit) return;
      } else {
        if (spec.hasMore && readPath(body, spec.hasMore) === false) return;
        const cursor = readPath(body, spec.nextCursor);
        if (cursor === undefined || cursor === null || cursor === '') return;
        // The cursor just sent, named again: the same page would be fetched for ever.
        if (cursor === pageInput[spec.cursorParam]) throw notAdvancing(endpointId, spec.nextCursor);
        pageInput[spec.cursorParam] = cursor;
      }
    }
  };
  return {
    [Symbol.asyncIterator]: iterate,
    toArray: (options) => collectPages(iterate, options),
  };
}

function notAdvancing(endpointId: string, nextCursor: string): PristineError {
  return new PristineError(
    `Pagination of "${endpointId}" did not advance: the answer's "${nextCursor}" is the cursor the ` +
      'request sent, so the next page would be the same one (a server fault, or a pagination ' +
      '"nextCursor" that names a field echoing the request)',
    { endpointId, category: 'server' },
  );
}

/** Read a dotted path such as `cursor.total_count`. */
function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

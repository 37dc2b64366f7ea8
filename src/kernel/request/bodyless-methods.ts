/**
 * Methods sent without a body. build-body sends none for them, and the manifest refuses input keys of
 * theirs that are neither path, query nor header params, which would otherwise have nowhere to go.
 */
export const BODYLESS_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

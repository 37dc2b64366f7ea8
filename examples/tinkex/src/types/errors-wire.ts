import { Type, type Static } from 'pristine-kernel';

/** Who is at fault when a request failed: `user` errors are not retried. Unknown strings mean `unknown`. */
export const RequestErrorCategorySchema = Type.Union([
  Type.Literal('unknown'),
  Type.Literal('server'),
  Type.Literal('user'),
]);
export type RequestErrorCategory = Static<typeof RequestErrorCategorySchema>;

/** A future whose request failed: `{error, category}` from `retrieve_future`. */
export const RequestFailedResponseSchema = Type.Object({
  error: Type.String(),
  category: Type.String(),
});
export type RequestFailedResponse = Static<typeof RequestFailedResponseSchema>;

/** Parse a category as the Python StrEnum does, with anything unrecognised mapped to `unknown`. */
export function parseRequestErrorCategory(value: unknown): RequestErrorCategory {
  const text = typeof value === 'string' ? value.toLowerCase() : '';
  return text === 'user' || text === 'server' ? text : 'unknown';
}

/**
 * The body of a non-2xx answer. Servers send `{detail}` (FastAPI), `{message}` or `{error}`; all are
 * optional and unknown fields are kept.
 */
export const ErrorBodySchema = Type.Object({
  detail: Type.Optional(Type.Unknown()),
  message: Type.Optional(Type.String()),
  error: Type.Optional(Type.Unknown()),
  category: Type.Optional(Type.String()),
});
export type ErrorBody = Static<typeof ErrorBodySchema>;

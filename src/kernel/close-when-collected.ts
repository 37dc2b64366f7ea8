/** Each entry's value closes what a collected owner left open. */
const forgotten = new FinalizationRegistry<() => Promise<void>>((close) => {
  // Nobody awaits it: a failure (Redis down) has nothing to tell and no one to tell it to.
  close().catch(() => {});
});

/**
 * Call `close` once `owner` has been garbage-collected without being closed (a client made per request
 * in a long-running server and forgotten): its Redis connections would otherwise stay open on the server
 * (`maxclients`) for the life of the process. `close` must not reach `owner`, or `owner` is never
 * collected. The returned function (idempotent) cancels it, for an owner closed the usual way.
 */
export function closeWhenCollected(owner: object, close: () => Promise<void>): () => void {
  const token = {};
  forgotten.register(owner, close, token);
  return () => {
    forgotten.unregister(token);
  };
}

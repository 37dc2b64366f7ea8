/**
 * Hang guard only (generous; a wedge would never settle): the outcome of `promise` (its value, or the
 * error it rejected with), or 'hung' when it has not settled after `ms` of real time.
 */
export async function outcomeWithin<T>(promise: PromiseLike<T>, ms = 15_000): Promise<T | Error | 'hung'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), ms)));
  try {
    return await Promise.race([Promise.resolve(promise).catch((error: Error) => error), guard]);
  } finally {
    clearTimeout(timer);
  }
}

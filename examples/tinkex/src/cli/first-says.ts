/**
 * The stream, except that each write first calls `before`: how the CLI says the retry log's pending
 * counts before anything it prints (an answer, a note, an error, commander's usage text), so no output
 * path can forget to. Everything else (isTTY, columns, listeners) is the stream's own.
 */
export function firstSays<T extends NodeJS.WritableStream>(stream: T, before: () => void): T {
  return new Proxy(stream, {
    get(target, key) {
      if (key === 'write')
        return (...args: Parameters<T['write']>) => {
          before();
          return (target.write as (...a: unknown[]) => boolean)(...args);
        };
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

import { watch } from 'node:fs';

/** Resolves once an entry whose name starts with `prefix` appears in `dir` (event-driven, no polling). */
export function appears(dir: string, prefix: string): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(dir, (_event, name) => {
      if (name?.startsWith(prefix)) {
        watcher.close();
        resolve();
      }
    });
  });
}

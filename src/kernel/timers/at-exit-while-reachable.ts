/** What is due at the next `beforeExit`: each target held weakly, with the function to run on it. */
let due = new Map<WeakRef<object>, (target: object) => void>();
/** The targets in `due`, so a second ask for one adds no entry (a WeakSet: it holds none of them). */
let pending = new WeakSet<object>();
let listening = false;
/** Entries whose target was collected are pruned on an ask once `due` has this many (doubling after). */
let pruneAt = 64;

/**
 * Run `fn(target)` once at the process's next `beforeExit` (Node's event when the loop runs out of
 * work; an explicit `process.exit()` or a signal skips it), holding `target` weakly: a target nobody
 * else reaches is still collected, and its entry is skipped. Work an object put off (a batch a burst
 * deferred to a timer that is `unref`'d) is done before a script that never called `close()` ends,
 * without keeping the object alive meanwhile. One entry per target until it fires: a second ask for
 * a target already due is ignored (the first `fn` runs). After it fires, a target is due again only
 * if asked again, so a process whose `fn` starts no new work still exits. Work `fn` starts (a
 * request) keeps the process alive until it is done, as any pending I/O does. `fn` is given the
 * target and must not capture it (a closure over it is a strong path); an error `fn` throws is the
 * process's uncaught exception, raised after the other entries ran. All asks share one process
 * listener, added on the first.
 */
export function atExitWhileReachable<T extends object>(target: T, fn: (target: T) => void): void {
  if (pending.has(target)) return;
  if (due.size >= pruneAt) {
    for (const ref of due.keys()) if (ref.deref() === undefined) due.delete(ref);
    pruneAt = Math.max(64, due.size * 2);
  }
  pending.add(target);
  due.set(new WeakRef(target), fn as (target: object) => void);
  if (listening) return;
  listening = true;
  process.on('beforeExit', runDue);
}

function runDue(): void {
  const now = due;
  due = new Map();
  pending = new WeakSet();
  pruneAt = 64;
  let failed: { error: unknown } | undefined;
  for (const [ref, fn] of now) {
    const target = ref.deref();
    if (target === undefined) continue;
    try {
      fn(target);
    } catch (error) {
      failed ??= { error };
    }
  }
  if (failed) throw failed.error;
}

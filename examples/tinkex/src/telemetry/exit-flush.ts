/** What the process's `beforeExit` asks of a reporter whose burst deferred a flush. */
export interface ExitFlushable {
  flushDeferred(): void;
}

/**
 * Reporters whose flush at 100 waiting was deferred by a burst, held weakly: a forgotten client is still
 * collected (and its entry skipped), and one entry per reporter at a time (`take` clears it).
 */
const waiting = new Set<WeakRef<ExitFlushable>>();
let listening = false;
/** Past this many entries, those whose reporter was collected are pruned on the next `add`. */
const PRUNE_AT = 64;

/**
 * Ask for `reporter.flushDeferred()` when the process runs out of work (Node's `beforeExit`, which an
 * explicit `process.exit()` or a signal skips): a script that samples a burst and ends without
 * `close()` sent each 100 events while it ran before the burst rule, and must not lose them to it. The
 * flush's POSTs keep the process alive until they are done; a reporter is asked again only after it
 * deferred again, so the process still exits.
 */
export function flushAtExit(reporter: ExitFlushable): void {
  if (waiting.size >= PRUNE_AT) for (const ref of waiting) if (ref.deref() === undefined) waiting.delete(ref);
  waiting.add(new WeakRef(reporter));
  if (listening) return;
  listening = true;
  process.on('beforeExit', () => {
    const due = [...waiting];
    waiting.clear();
    for (const ref of due) ref.deref()?.flushDeferred();
  });
}

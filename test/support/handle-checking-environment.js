// Jest's node environment, plus a check that a test file leaves nothing open when it ends.
//
// Jest runs our files in a worker that it replaces when its heap grows (jest.config.js,
// `workerIdleMemoryLimit`), and a replaced worker is killed, open handles and all. Run in band, a
// file that left a server, socket, child process or timer open kept Jest from exiting, and CI failed
// at its timeout; in a worker nobody would notice. So each file is checked as it ends, which also names
// the file that leaked.
import { TestEnvironment } from 'jest-environment-node';

// Closing is often asynchronous (a server's last socket, a child's exit): a file gets this long after its
// last hook for what it closed to go. A file that closes everything pays nothing: the first look passes.
// (Its own test shortens it with PRISTINE_HANDLE_SETTLE_MS, so that a file that leaks on purpose fails fast.)
const SETTLE_MS = Number(process.env.PRISTINE_HANDLE_SETTLE_MS ?? 5_000);
const LOOK_EVERY_MS = 20;

// Listed by `process.getActiveResourcesInfo()` but holding nothing open: a Blob from `fs.openAsBlob` (the
// multipart adapter's file parts) leaves its reader's request listed after the stream is read to the end
// or cancelled, on Node 20 and 24 alike, while the process still exits and no descriptor is left open
// (checked: 400 blobs read or cancelled, the descriptor count unchanged).
const NOT_HELD = new Set(['FileHandleReadWrap']);

// Listed by count only: Node has no object to show for a timer or an immediate.
const COUNTED = new Set(['Timeout', 'Immediate']);
const NOTHING = { held: new Map(), counts: new Map() };

export default class HandleCheckingEnvironment extends TestEnvironment {
  #before = NOTHING;

  async setup() {
    await super.setup();
    // Node opens the standard streams on first use (a file that logs, or imports `node:process`, whose
    // ESM namespace Jest builds by reading every property), and a pipe stays open for the process's
    // life: open them now, or the first such file would be blamed for them.
    void process.stdin;
    void process.stdout;
    void process.stderr;
    this.#before = openNow();
  }

  async teardown() {
    const left = await leftOpen(this.#before);
    // Drop the references to what was open before: they would keep closed servers and sockets alive.
    this.#before = NOTHING;
    await super.teardown();
    if (left.length > 0) {
      const error = new Error(
        `The test file left ${left.join(', ')} open (still open ${SETTLE_MS / 1000} s after its last hook). ` +
          'Close what it started in afterEach/afterAll; `npx jest --detectOpenHandles <file>` shows where it was made.',
      );
      // The stack would point here, not at the test: the message is the whole story.
      error.stack = error.message;
      throw error;
    }
  }
}

/** The resources keeping the event loop alive now that were not before the file, as `Type ×n`. */
async function leftOpen(before) {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const extra = surplus(before, openNow());
    if (extra.length === 0 || Date.now() >= deadline) return extra;
    await new Promise((resolve) => setTimeout(resolve, LOOK_EVERY_MS).unref());
  }
}

/**
 * What keeps the event loop alive: each request and handle by identity (the object Node lists for it:
 * a server, socket, child process, watcher) with its type, timers and immediates by count.
 *
 * Identity, not counts per type: a file that closed a server it did not open (one an earlier file left,
 * or still closing) and left one of its own open showed no more servers than it started with, passed,
 * and left Jest's worker unable to exit at the end of the run.
 */
function openNow() {
  // `getActiveResourcesInfo()` names the requests, then the handles, in the order `_getActiveRequests()`
  // and `_getActiveHandles()` list their objects (Node reads the same queues for both, in one tick), then
  // adds one `Timeout` per timer and one `Immediate` per immediate.
  const info = process.getActiveResourcesInfo();
  const objects = [...process._getActiveRequests(), ...process._getActiveHandles()];
  const named = info.filter((type) => !COUNTED.has(type));
  const held = new Map(objects.map((object, i) => [object, named[i]]));
  // Should a Node ever list them differently, the check counts every type, as it did before.
  return named.length === objects.length
    ? { held, counts: countTypes(info.filter((type) => COUNTED.has(type))) }
    : { held: undefined, counts: countTypes(info) };
}

/** What `now` has open that `before` had not: handles and requests by identity, the rest by count. */
function surplus(before, now) {
  const byIdentity = before.held !== undefined && now.held !== undefined;
  const counts = new Map();
  const add = (type, n) => counts.set(type, (counts.get(type) ?? 0) + n);
  for (const [object, type] of now.held ?? []) if (!byIdentity || !before.held.has(object)) add(type, 1);
  if (!byIdentity) for (const type of before.held?.values() ?? []) add(type, -1);
  for (const [type, n] of now.counts) add(type, n);
  for (const [type, n] of before.counts) add(type, -n);
  return [...counts]
    .filter(([type, n]) => n > 0 && !NOT_HELD.has(type))
    .map(([type, n]) => (n === 1 ? type : `${type} ×${n}`));
}

function countTypes(types) {
  const counts = new Map();
  for (const type of types) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

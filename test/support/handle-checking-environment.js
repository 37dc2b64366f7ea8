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

export default class HandleCheckingEnvironment extends TestEnvironment {
  #before = [];

  async setup() {
    await super.setup();
    // Node opens the standard streams on first use (a file that logs, or imports `node:process`, whose
    // ESM namespace Jest builds by reading every property), and a pipe stays open for the process's
    // life: open them now, or the first such file would be blamed for them.
    void process.stdin;
    void process.stdout;
    void process.stderr;
    this.#before = process.getActiveResourcesInfo();
  }

  async teardown() {
    const left = await leftOpen(this.#before);
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
    const extra = surplus(before, process.getActiveResourcesInfo());
    if (extra.length === 0 || Date.now() >= deadline) return extra;
    await new Promise((resolve) => setTimeout(resolve, LOOK_EVERY_MS).unref());
  }
}

function surplus(before, now) {
  const counts = new Map();
  for (const type of now) counts.set(type, (counts.get(type) ?? 0) + 1);
  for (const type of before) counts.set(type, (counts.get(type) ?? 0) - 1);
  return [...counts]
    .filter(([type, n]) => n > 0 && !NOT_HELD.has(type))
    .map(([type, n]) => (n === 1 ? type : `${type} ×${n}`));
}

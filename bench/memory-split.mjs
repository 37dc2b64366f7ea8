// Where a fan-out child's memory is once its burst is over: read after the peak was taken, so reading
// it cannot move the peak (reading /proc/self/smaps during the burst did, by 2–6 MiB: round 10 notes).
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

const mib = (bytes) => bytes / 1024 / 1024;
/** glibc's thread heaps are 64 MiB-aligned (HEAP_MAX_SIZE on 64-bit); V8's own pages are not. */
const ARENA_ALIGN = 64n * 1024n * 1024n;

/**
 * V8's young generation (resident, and the semi-space size V8 grew it to: Node 24's V8 goes up to 64
 * MiB where Node 20's stopped at 16), old space, code (with the trusted space where V8 12+ keeps
 * bytecode) and malloc's thread arenas (the heaps of V8's compiler and GC threads; Linux only), in MiB.
 */
export function memorySplit() {
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s]));
  const resident = (...names) =>
    mib(names.reduce((sum, n) => sum + (spaces[n]?.physical_space_size ?? 0), 0));
  return {
    new_space_resident_mb: resident('new_space', 'new_large_object_space'),
    semi_space_mb: mib((spaces.new_space?.space_size ?? 0) / 2),
    old_space_resident_mb: resident('old_space', 'large_object_space'),
    code_resident_mb: resident(
      'code_space',
      'code_large_object_space',
      'trusted_space',
      'trusted_large_object_space',
    ),
    thread_arenas_mb: threadArenasMb(),
  };
}

/** Resident MiB of anonymous, 64 MiB-aligned read-write mappings; undefined where /proc is absent. */
function threadArenasMb() {
  let text;
  try {
    text = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return undefined;
  }
  let kb = 0;
  let arena = false;
  for (const line of text.split('\n')) {
    const mapping = /^([0-9a-f]+)-[0-9a-f]+ (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping)
      arena = mapping[3] === '' && mapping[2] === 'rw-p' && BigInt(`0x${mapping[1]}`) % ARENA_ALIGN === 0n;
    else if (arena && line.startsWith('Rss:')) kb += Number(line.split(/\s+/)[1]);
  }
  return kb / 1024;
}

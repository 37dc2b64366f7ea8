// The sampling fan-out on Node 24, next to its raw-undici baseline on the same Node: the bench itself
// runs on the machine's default Node (20), but users are on 22 and 24 now, and the fan-out's memory
// differs between them (docs/performance-notes.md, round 16 notes: Node 24's V8 lets the young generation
// grow to 64 MiB semi-spaces where Node 20's stops at 16).
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { runScript } from './lib.mjs';
import { summarize } from './tinkex.mjs';

/** Fresh runs of each client; 3 keeps the bench's run time about 40 s longer on two idle cores. */
const RUNS = 3;

/**
 * The Node 24 binary to measure with: `BENCH_NODE24` if set, else `.cache/node24/bin/node`, where
 * `.ci/run` (`.ci/fetch-node`) puts the pinned Node 24. Answers `{ node, version }` or `{ skipped }`
 * saying why there is none, so the table says the row was skipped rather than leaving it out.
 */
export function node24Binary(env = process.env) {
  const fromEnv = env.BENCH_NODE24;
  const node = fromEnv || new URL('../.cache/node24/bin/node', import.meta.url).pathname;
  try {
    accessSync(node, constants.X_OK);
  } catch {
    return {
      skipped: fromEnv
        ? `BENCH_NODE24=${fromEnv} is not an executable`
        : 'no Node 24 (set BENCH_NODE24 to a node binary, or run `bash .ci/fetch-node 24.21.0`)',
    };
  }
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith('v24.')) return { skipped: `${node} is Node ${version}, not 24` };
  return { node, version };
}

/**
 * 2,000 samples at once through Tinkex at default options (protocol 0.25, no chaos) and through the raw
 * undici client, each in RUNS fresh Node 24 processes, interleaved with the order alternating per round
 * (bench/fanout-child.mjs and bench/raw-fanout-child.mjs, as the Node 20 rows). Summarized as those rows
 * are: the median-throughput run with the highest peak RSS of the runs and the median CPU per sample.
 */
export async function samplingFanoutNode24() {
  const found = node24Binary();
  if (found.skipped) return { skipped: found.skipped };
  const runs = { tinkex: [], raw: [] };
  const run = async (which) =>
    runs[which].push(
      which === 'raw'
        ? await runScript('./raw-fanout-child.mjs', [''], [], found.node)
        : await runScript('./fanout-child.mjs', ['', '{}'], [], found.node),
    );
  for (let i = 0; i < RUNS; i++)
    for (const which of i % 2 ? ['tinkex', 'raw'] : ['raw', 'tinkex']) await run(which);
  return { node: found.version, ...summarize(runs.tinkex), raw_undici: summarize(runs.raw) };
}

import type { AddressInfo, Socket } from 'node:net';
import { Chaos, parseChaos } from './chaos.js';
import { EmulatorContext } from './context.js';
import { FutureStore } from './futures.js';
import { reseedSampling } from './routes/sampling.js';
import { createServer } from './server.js';
import { EmulatorState } from './state.js';

export { EmulatorState } from './state.js';
export { parseChaos } from './chaos.js';
export { SUPPORTED_MODELS, TOKENIZER_ID } from './context.js';
export { checkpointFiles } from './archive.js';

export interface EmulatorOptions {
  port?: number;
  /** Loopback by default. */
  host?: string;
  seed?: number;
  /** Seeds only the chaos dice (default: `seed`), so fault patterns vary while the model stays the same. */
  chaosSeed?: number;
  /** Chaos spec (see docs/emulator.md); defaults to env TINKEX_EMULATOR_CHAOS, else none. */
  chaos?: string;
  /** How long a delivered result stays retrievable. */
  futureTtlMs?: number;
  /** Results above this size answer `complete_metadata` to clients that allow it. */
  metadataThresholdBytes?: number;
  /** Multiplies every learning_rate so the tiny model trains at real-world rates. Default 1000. */
  learningRateScale?: number;
  /**
   * Adds a zero-filled `padding.bin` of this many bytes to every checkpoint archive (streamed, never
   * held in memory), to measure large downloads. Default 0.
   */
  archivePaddingBytes?: number;
  /** Injected time source, for tests. */
  now?: () => number;
  /**
   * How long a training request held for a missing predecessor seq_id waits before the gap is passed
   * over (a client burns the seq_id of a submission that failed for good). Default 10 000 ms.
   */
  sequenceGapMs?: number;
}

export interface RunningEmulator {
  url: string;
  state: EmulatorState;
  /** Change the chaos spec while running (e.g. `5xx=1;scope=training` for an outage, `''` to end it). */
  setChaos(spec: string | undefined): void;
  close(): Promise<void>;
}

/** Start a Tinker-compatible server with a tiny real model. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const seed = options.seed ?? 0;
  const now = options.now ?? Date.now;
  const state = new EmulatorState();
  let url = '';
  reseedSampling(seed);
  const ctx = new EmulatorContext(
    state,
    new FutureStore(now, options.futureTtlMs ?? 5 * 60_000),
    new Chaos(parseChaos(options.chaos ?? process.env.TINKEX_EMULATOR_CHAOS), options.chaosSeed ?? seed),
    seed,
    now,
    () => url,
    options.metadataThresholdBytes ?? 4 * 1024 * 1024,
    options.learningRateScale ?? 1000,
    options.archivePaddingBytes ?? 0,
  );
  ctx.sequenceGapMs = options.sequenceGapMs ?? ctx.sequenceGapMs;
  const server = createServer(ctx);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1', backlog: 4096 }, resolve);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;
  return {
    url,
    state,
    setChaos: (spec) => ctx.chaos.configure(spec),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}

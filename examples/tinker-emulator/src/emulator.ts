import type { AddressInfo, Socket } from 'node:net';
import { Chaos, parseChaos } from './chaos.js';
import { EmulatorContext } from './context.js';
import { FutureStore } from './futures.js';
import { reseedSampling } from './routes/sampling.js';
import { createServer } from './server.js';
import { EmulatorState } from './state.js';

export interface EmulatorOptions {
  port?: number;
  /** Loopback by default. */
  host?: string;
  seed?: number;
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
}

export interface RunningEmulator {
  url: string;
  state: EmulatorState;
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
    new Chaos(parseChaos(options.chaos ?? process.env.TINKEX_EMULATOR_CHAOS), seed),
    seed,
    now,
    () => url,
    options.metadataThresholdBytes ?? 4 * 1024 * 1024,
    options.learningRateScale ?? 1000,
    options.archivePaddingBytes ?? 0,
  );
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/**
 * tinker-emulator: a local Tinker-compatible server with a tiny real model, for tests and offline work.
 * Start with {@link startEmulator}.
 *
 * @module tinker-emulator
 */
export { startEmulator, type EmulatorOptions, type RunningEmulator } from './emulator.js';
export type { ResponseCoding } from './response-compression.js';
export { EmulatorState, type LoggedRequest } from './state.js';
export { parseChaos } from './chaos.js';
export { SUPPORTED_MODELS, TOKENIZER_ID } from './context.js';
export { checkpointFiles } from './archive.js';
export { EmulatorUsageError, runEmulatorCli, USAGE } from './cli.js';

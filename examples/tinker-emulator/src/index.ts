// The public surface of the tinker-emulator package.
export { startEmulator, type EmulatorOptions, type RunningEmulator } from './emulator.js';
export { EmulatorState, type LoggedRequest } from './state.js';
export { parseChaos } from './chaos.js';
export { SUPPORTED_MODELS, TOKENIZER_ID } from './context.js';
export { checkpointFiles } from './archive.js';
export { runEmulatorCli, USAGE } from './cli.js';

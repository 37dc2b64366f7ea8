// docs/tinkex.md "Telemetry and logs", verbatim; test/docs/recovery-telemetry.test.ts runs it against the emulator.
import { ServiceClient } from 'tinkex';

const service = new ServiceClient({ telemetry: true }); // on by default, off with TINKER_TELEMETRY=0
const rest = service.createRestClient(); // REST-only use: session-less telemetry, no session created
await rest.getTrainingRun('no-such-run').catch((error) => console.log(`${error.name}, reported`));
const telemetry = service.activeTelemetry()!;
console.log(`session-less: ${telemetry.sessionless}`);
telemetry.generic('my_app.epoch_done', { epoch: 1 }); // your own events, batched with the SDK's
await service.close(); // flushes what is left

import { defineManifest } from 'pristine-kernel';
import { futuresEndpoints } from './manifest/futures.js';
import { restEndpoints } from './manifest/rest.js';
import { samplingEndpoints } from './manifest/sampling.js';
import { sessionsEndpoints } from './manifest/sessions.js';
import { trainingEndpoints } from './manifest/training.js';
import { VERSION } from './version.js';

/**
 * Every endpoint of the Tinker protocol: the JSON protocol of Python SDK 0.7.0–0.24.1, the 0.25.0
 * additions (handshake, protobuf forward/backward), plus the SSE sampling extension; one file per
 * resource under `manifest/`. Pools (`resource`) follow the SDK's connection pools: sessions, training
 * (TRAIN and all REST), futures (RETRIEVE_PROMISE), sampling, telemetry. Every endpoint answering
 * `{request_id}` is a `tinker` future. Retry policy `none` marks the calls the SDK sends with
 * `max_retries=0` and re-drives itself (polls, heartbeats, asample).
 */
export const tinkerManifest = defineManifest({
  name: 'tinker',
  version: VERSION,
  endpoints: [
    ...sessionsEndpoints,
    ...trainingEndpoints,
    ...samplingEndpoints,
    ...futuresEndpoints,
    ...restEndpoints,
  ],
});

export type TinkerManifest = typeof tinkerManifest;

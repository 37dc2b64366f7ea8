import { tinkerManifest } from '../manifest.js';

/** Endpoint id → the call's name, for the endpoints whose manifest entry names one. */
const NAMED: ReadonlyMap<string, string> = new Map(
  tinkerManifest.endpoints.flatMap((e) =>
    'callName' in e && typeof e.callName === 'string' ? [[e.id, e.callName] as const] : [],
  ),
);

/**
 * The call a user made, for what people read (warnings, errors, metrics): 0.25 sends `forward_backward`
 * and `forward` through endpoints of their own (`forward_backward_proto`, `forward_proto`: the protobuf
 * body), which are the same calls to whoever made them. The manifest's `callName` says so, and the
 * kernel's own lines (retries, a closed client) use it too.
 */
export function callName(endpointId: string): string {
  return NAMED.get(endpointId) ?? endpointId;
}

/**
 * The call a user made, for what people read (warnings, errors, metrics): 0.25 sends `forward_backward`
 * and `forward` through endpoints of their own (`forward_backward_proto`, `forward_proto`: the protobuf
 * body), which are the same calls to whoever made them.
 */
export function callName(endpointId: string): string {
  return endpointId.endsWith('_proto') ? endpointId.slice(0, -'_proto'.length) : endpointId;
}

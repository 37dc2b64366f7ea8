import { describe, expect, it } from '@jest/globals';
import { Secret } from 'pristine-kernel';
import { tinkerPollProtocol } from '../../src/plugin/poll-protocol.js';
import { CredentialSource } from '../../src/protocol/credential.js';
import { TinkerProtocol, type ProtocolMode } from '../../src/protocol/tinker-protocol.js';

/** The poll protocol of a holder whose negotiation ended in `mode`. */
function pollProtocol(mode: ProtocolMode) {
  const protocol = new TinkerProtocol(new CredentialSource(new Secret('tml-key'), undefined, () => 0));
  protocol.mode = mode;
  return tinkerPollProtocol(protocol);
}

const context = (submitEndpoint: string, iteration: number) => ({
  requestId: 'req-1',
  submitEndpoint,
  submitRoundtripMs: 1250,
  iteration,
  allowMetadataOnly: true,
});

// The headers of a retrieve_future poll, in the order the official client sends them: `Accept` first
// on 0.25's protobuf results, the roundtrip time on the first poll only.
describe('retrieve_future poll headers', () => {
  it.each([
    [
      'v025',
      'asample',
      0,
      [
        ['Accept', 'application/x-protobuf'],
        ['X-Tinker-Request-Iteration', '0'],
        ['X-Tinker-Request-Type', 'Sample'],
        ['X-Tinker-Create-Promise-Roundtrip-Time', '1.25'],
        ['X-Stainless-Raw-Response', 'raw'],
      ],
    ],
    [
      'v025',
      'asample',
      3,
      [
        ['Accept', 'application/x-protobuf'],
        ['X-Tinker-Request-Iteration', '3'],
        ['X-Tinker-Request-Type', 'Sample'],
        ['X-Stainless-Raw-Response', 'raw'],
      ],
    ],
    [
      'v025',
      'forward_backward_proto',
      0,
      [
        ['Accept', 'application/x-protobuf'],
        ['X-Tinker-Request-Iteration', '0'],
        ['X-Tinker-Request-Type', 'ForwardBackward'],
        ['X-Tinker-Create-Promise-Roundtrip-Time', '1.25'],
        ['X-Stainless-Raw-Response', 'raw'],
      ],
    ],
    [
      'v025',
      'optim_step',
      0,
      [
        ['X-Tinker-Request-Iteration', '0'],
        ['X-Tinker-Request-Type', 'OptimStep'],
        ['X-Tinker-Create-Promise-Roundtrip-Time', '1.25'],
        ['X-Stainless-Raw-Response', 'raw'],
      ],
    ],
    [
      'v025',
      'optim_step',
      1,
      [
        ['X-Tinker-Request-Iteration', '1'],
        ['X-Tinker-Request-Type', 'OptimStep'],
        ['X-Stainless-Raw-Response', 'raw'],
      ],
    ],
    [
      'legacy',
      'asample',
      0,
      [
        ['X-Tinker-Request-Iteration', '0'],
        ['X-Tinker-Request-Type', 'Sample'],
        ['X-Tinker-Create-Promise-Roundtrip-Time', '1.25'],
        ['X-Stainless-Raw-Response', 'raw'],
      ],
    ],
    [
      'legacy',
      'asample',
      2,
      [
        ['X-Tinker-Request-Iteration', '2'],
        ['X-Tinker-Request-Type', 'Sample'],
        ['X-Stainless-Raw-Response', 'raw'],
      ],
    ],
    [
      'legacy',
      'custom_endpoint',
      0,
      [
        ['X-Tinker-Request-Iteration', '0'],
        ['X-Tinker-Request-Type', 'custom_endpoint'],
        ['X-Tinker-Create-Promise-Roundtrip-Time', '1.25'],
        ['X-Stainless-Raw-Response', 'raw'],
      ],
    ],
  ] as const)('%s, %s, iteration %i', (mode, endpoint, iteration, expected) => {
    const headers = pollProtocol(mode).pollHeaders!(context(endpoint, iteration));
    expect(Object.entries(headers)).toEqual(expected);
  });

  it('builds a new object for every poll', () => {
    const protocol = pollProtocol('v025');
    const first = protocol.pollHeaders!(context('asample', 1));
    const second = protocol.pollHeaders!(context('asample', 1));
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });
});

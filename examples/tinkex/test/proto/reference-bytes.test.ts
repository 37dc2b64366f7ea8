import { describe, expect, it } from '@jest/globals';
import { toBinary } from '@bufbuild/protobuf';
import { datum } from '../../src/types/datum.js';
import { ForwardBackwardRequestSchema } from '../../src/proto/gen/tinker_public_pb.js';
import { forwardBackwardRequest } from '../../src/proto/forward-backward-request.js';

describe('ForwardBackwardRequest bytes (tinker-wire-0.25.md §6)', () => {
  it('the two-datum forward of the reference is 302 bytes with the same layout', () => {
    const data = [
      datum([101, 2023, 2003, 1037, 3231], {
        target_tokens: [2023, 2003, 1037, 3231, 102],
        weights: [0, 1, 1, 1, 1],
      }),
      datum([101, 7592, 2088], { target_tokens: [7592, 2088, 102], weights: [0, 1, 1] }),
    ];
    const sessionId = 'e0f1a2b3-c4d5-4e6f-8a9b-0c1d2e3f4a5b';
    const bytes = Buffer.from(
      toBinary(
        ForwardBackwardRequestSchema,
        forwardBackwardRequest({
          model_id: `${sessionId}:train:0`,
          seq_id: 3,
          data,
          loss_fn: 'cross_entropy',
          forward_only: true,
        }),
      ),
    );
    expect(bytes.length).toBe(302);
    expect(bytes.subarray(0, 2).toString('hex')).toBe('0a2c');
    expect(bytes.subarray(46, 51).toString('hex')).toBe('1003' + '1a8401');
    // Datum 0's first chunk: tokens as int32 LE.
    expect(bytes.subarray(51, 77).toString('hex')).toBe(
      '0a180a160a14' + '65000000e7070000d30700000d0400009f0c0000',
    );
    expect(bytes.subarray(183, 185).toString('hex')).toBe('1a64');
    expect(bytes.subarray(285, 302).toString('hex')).toBe(
      '220d' + Buffer.from('cross_entropy').toString('hex') + '3001',
    );
    const fwdbwd = toBinary(
      ForwardBackwardRequestSchema,
      forwardBackwardRequest({
        model_id: `${sessionId}:train:0`,
        seq_id: 3,
        data,
        loss_fn: 'cross_entropy',
        forward_only: false,
      }),
    );
    expect(fwdbwd.byteLength).toBe(300); // forward_only false is the proto3 default: not on the wire
  });
});

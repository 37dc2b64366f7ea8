import { APIFuture, type CallOptions, type QueueStateEvent } from 'pristine-kernel';
import type { TinkerKernel } from '../client/tinker-kernel.js';
import { checkEncodable, encodeForwardBackwardRequest } from '../proto/forward-backward-writer.js';
import { protoDatumBytes } from '../proto/proto-size.js';
import type { ClientFlags } from '../protocol/flags.js';
import type { Datum } from '../types/datum.js';
import type { ForwardBackwardOutput } from '../types/schemas.js';
import { chunkData } from './chunking.js';
import { mergeOutputs } from './metrics.js';
import type { SubmissionOrder } from './submission-order.js';
import { WholeBatch } from './whole-batch.js';

export interface ProtoLossPass {
  /** The caller's signal and deadline, for every chunk. */
  call?: CallOptions;
  kernel: TinkerKernel;
  order: SubmissionOrder;
  flags: ClientFlags;
  model_id: string;
  onQueueState: (event: QueueStateEvent) => void;
  kind: 'forward' | 'forward_backward';
  data: readonly Datum[];
  loss_fn: string;
  loss_fn_config?: Record<string, number> | null;
}

/**
 * A 0.25 forward / forward_backward: one protobuf request per chunk (limits and the proto-size estimate
 * from /client/config), zstd-compressed when the server asks. Every request is built before the first
 * seq_id is reserved, so bad input reserves nothing. With `parallel_fwdbwd_chunks` the chunks wait only
 * for the previous call's submission and go out together, the first chunk last (as the Python SDK), so
 * the server sees the whole batch at once; otherwise one after another. Several chunks are applied all
 * or none (WholeBatch).
 */
export function protoLossPass(pass: ProtoLossPass): APIFuture<ForwardBackwardOutput> {
  const { kernel, order, flags, kind } = pass;
  const chunks = chunkData(pass.data, {
    maxLen: flags.fwdbwd_max_chunk_len,
    maxBytes: flags.fwdbwd_max_chunk_bytes_count,
    estimate: protoDatumBytes,
  });
  // Checked before any seq_id is reserved; each chunk is written when its seq_id is known.
  checkEncodable(pass.data);
  const messages = chunks.map((chunk) => ({
    data: chunk,
    payloadBytes: chunk.reduce((sum, datum) => sum + protoDatumBytes(datum), 0),
  }));
  const endpoint = kind === 'forward' ? 'forward_proto' : 'forward_backward_proto';
  const compress = flags.proto_compress_fwdbwd ? ({ encoding: 'zstd', minBytes: 0 } as const) : false;
  const batch = messages.length > 1 ? new WholeBatch(pass.call ?? {}) : undefined;
  const call = batch ? batch.options : pass.call;
  // The seq_id is known when the request's turn comes (`gate`): the chunk is written then, just before
  // it is sent (the kernel reads the body only after `after`).
  const submit = (index: number, gate: Promise<number>, after?: Promise<unknown>) => {
    const body: { encodedBody?: Uint8Array; payloadBytes: number } = {
      payloadBytes: messages[index].payloadBytes,
    };
    const numbered = gate.then((seq_id) => {
      body.encodedBody = encodeForwardBackwardRequest({
        model_id: pass.model_id,
        seq_id,
        data: messages[index].data,
        loss_fn: pass.loss_fn,
        loss_fn_config: pass.loss_fn_config,
        forward_only: kind === 'forward',
      });
    });
    // `numbered` settles after the gate (and rejects with it): waiting for the gate too adds nothing.
    return kernel.submit<ForwardBackwardOutput>(endpoint, body as never, {
      ...call,
      after: after ? Promise.all([numbered, after]) : numbered,
      onQueueState: pass.onQueueState,
      compress,
    });
  };
  const signal = call?.signal;
  const futures: APIFuture<ForwardBackwardOutput>[] = [];
  // `batch` is there exactly when there are several chunks.
  if (flags.parallel_fwdbwd_chunks && batch) {
    // Reserved together, every slot's gate is the previous call's turn.
    const slots = messages.map(() => order.reserve(endpoint, signal));
    batch.commit(slots[0].gate);
    for (let i = 1; i < slots.length; i++) futures[i] = submit(i, slots[i].gate);
    const othersAccepted = Promise.allSettled(futures.slice(1).map((f) => f.accepted));
    futures[0] = submit(
      0,
      slots[0].gate,
      slots[0].gate.then(() => othersAccepted),
    );
    // The next call waits for every chunk to be accepted or refused, not just the last one; each slot
    // is tracked once, with its own chunk's outcome (a refusal is warned once, under its own seq_id).
    const last = slots.length - 1;
    const allSettled = Promise.allSettled(futures.map((f) => f.accepted));
    slots.forEach((slot, i) =>
      slot.track(i < last ? futures[i].accepted : allSettled.then(() => futures[i].accepted)),
    );
  } else {
    for (let i = 0; i < messages.length; i++) {
      const slot = order.reserve(endpoint, signal);
      if (i === 0) batch?.commit(slot.gate);
      futures[i] = submit(i, slot.gate);
      slot.track(futures[i].accepted);
    }
  }
  if (!batch) return futures[0];
  const { clock } = kernel.getServices();
  return batch.result(futures, APIFuture.combine(futures, mergeOutputs, clock), clock);
}

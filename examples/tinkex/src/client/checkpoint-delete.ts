import { errorAfterMaybeAppliedAttempt, NotFoundError, type CallOptions } from 'pristine-kernel';
import { loggerOf, type TinkerKernel } from './tinker-kernel.js';

/** What `deleteCheckpoint` did. */
export interface CheckpointDeleted {
  /**
   * The answer was a 404 on a retry, after an earlier attempt that the server may have carried out (its
   * answer was lost: the connection broke or timed out after it was sent, or a 5xx): the checkpoint is
   * gone, most likely by that attempt. False when this delete's own answer said it was deleted.
   */
  earlier_attempt_applied: boolean;
}

const DELETED: CheckpointDeleted = Object.freeze({ earlier_attempt_applied: false });
const DELETED_EARLIER: CheckpointDeleted = Object.freeze({ earlier_attempt_applied: true });

/**
 * `DELETE` a checkpoint. A user deleting something wants it deleted: when an attempt was applied but
 * its answer lost, the retry meets 404, and that is the delete done, not a failure (the Python SDK and
 * its CLI report the 404). Only then: a 404 on the first attempt, or on a retry after attempts that
 * cannot have been applied (a 429, a connection never made), stays a NotFoundError.
 */
export async function deleteCheckpoint(
  kernel: TinkerKernel,
  path: { training_run_id: string; checkpoint_id: string },
  options: CallOptions,
): Promise<CheckpointDeleted> {
  const { training_run_id, checkpoint_id } = path;
  try {
    await kernel.call('delete_checkpoint', { training_run_id, checkpoint_id }, options);
    return DELETED;
  } catch (error) {
    if (!(error instanceof NotFoundError && errorAfterMaybeAppliedAttempt(error))) throw error;
    loggerOf(kernel).debug(
      'delete_checkpoint: 404 on a retry after an attempt that may have been applied (its answer was ' +
        'lost); taken as deleted',
      { training_run_id, checkpoint_id, request_id: error.requestId },
    );
    return DELETED_EARLIER;
  }
}

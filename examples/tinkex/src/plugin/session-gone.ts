import { NotFoundError, type PristineError } from 'pristine-kernel';

/**
 * A 404 that means the server forgot this client's session, model or sampler (it restarted, or ended
 * the session): every later call of the client fails the same way, so the way back is a new
 * ServiceClient (and training clients from the last checkpoint). A `NotFoundError`, so a catch of that
 * still matches; a server sharing one client checks `instanceof SessionGoneError` to rebuild it,
 * rather than reading the message. A 404 naming a checkpoint path is a plain `NotFoundError`.
 */
export class SessionGoneError extends NotFoundError {}

/** The hint's first words: the CLI and tests recognise a session-gone 404 by them. */
export const SESSION_GONE = 'The server no longer knows this session (it may have restarted)';

const NEW_TRAINING =
  'create a new ServiceClient, then a training client from your last checkpoint ' +
  '(createTrainingClientFromState(<your last checkpoint>))';
/** A poll of a request the server accepted and then forgot: whether it ran is not known. */
const LOST_RESULT =
  'its result is lost and whether it ran is not known; create a new ServiceClient, then a training ' +
  'client from your last checkpoint (createTrainingClientFromState(<your last checkpoint>)) or a ' +
  'sampling client, and repeat what was not saved';
const NEW_SAMPLING =
  'create a new ServiceClient, then a sampling client (createSamplingClient) for your model or checkpoint';

/**
 * The calls that name this client's session, model or sampler: a 404 from one means the server forgot
 * them (it restarted, or dropped the session), and every later call of this client fails the same way.
 */
const WAY_BACK: Readonly<Record<string, string>> = {
  session_heartbeat: 'create a new ServiceClient',
  create_model: 'create a new ServiceClient',
  create_sampling_session: NEW_SAMPLING,
  asample: NEW_SAMPLING,
  stream_sample: NEW_SAMPLING,
  get_info: NEW_TRAINING,
  unload_model: NEW_TRAINING,
  forward: NEW_TRAINING,
  forward_proto: NEW_TRAINING,
  forward_backward: NEW_TRAINING,
  forward_backward_proto: NEW_TRAINING,
  optim_step: NEW_TRAINING,
  save_weights: NEW_TRAINING,
  save_weights_for_sampler: NEW_TRAINING,
  load_weights: NEW_TRAINING,
  retrieve_future: LOST_RESULT,
};

/**
 * The plugin's errorMapper: a 404 on a call of this session gets a hint that the session is gone and
 * how to get back (the Python SDK re-creates nothing either; a hint is all). A 404 naming a checkpoint
 * (`model_path`, `load_weights`' path) is about that path, not the session, and stays as it is.
 */
export function sessionGone(error: PristineError, endpoint: { id: string }): PristineError | undefined {
  const way = WAY_BACK[endpoint.id];
  if (!(error instanceof NotFoundError) || way === undefined || isSessionGone(error)) return undefined;
  if (/checkpoint|tinker:\/\//i.test(error.message)) return undefined;
  const { status, headers, body, requestId, origin, endpointId, category, retryable, retryAfterMs } = error;
  return new SessionGoneError(`${error.message.replace(/\.$/, '')}. ${SESSION_GONE}: ${way}.`, {
    ...{ status, headers, body, requestId, origin, endpointId, category, retryable, retryAfterMs },
    cause: error.cause,
  });
}

/** Whether `error` is a 404 that sessionGone explained. */
export function isSessionGone(error: unknown): boolean {
  return error instanceof SessionGoneError;
}

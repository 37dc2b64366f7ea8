import type { PollOptions, PollProtocol } from '../../ports/futures.js';
import { scrubError } from '../errors/error-secrets.js';
import { PristineError } from '../errors/pristine-error.js';
import type { CompiledEndpoint } from '../manifest/compile.js';
import type { CallOptions, CallResult, PluginSpec } from '../plugin-contract.js';
import { ResponseValidationError } from '../pipeline/stages/validate-response.js';
import type { SecretRegistry } from '../redact.js';
import type { KernelServices, KernelSettings } from '../services.js';
import { APIFuture } from './api-future.js';
import { FutureDeadline } from './future-deadline.js';

/** Options of `kernel.submit`: a call's options, the poll's, and how to resubmit or order the submission. */
export type SubmitOptions = CallOptions &
  Omit<PollOptions, 'signal'> & {
    resubmitInput?: (() => unknown) | undefined;
    /**
     * Submit only once this resolves: strict submission order without awaiting. If it rejects,
     * nothing is sent and the future rejects with its reason (the caller aborts a queued request).
     */
    after?: PromiseLike<unknown> | undefined;
    /**
     * The future stops only through `signal` (and the kernel's `close()`): it polls with a controller
     * the kernel keeps per signal, shared by such futures, and its `cancel()` throws. Saves an
     * AbortController and a subscription per pending future (about 5 MiB of peak RSS over a burst of
     * 2,000 sampling futures). Without a `signal` it changes nothing.
     */
    callerSignalOnly?: boolean | undefined;
  };

/** What submitting a long-running operation needs from the kernel (the kernel itself is one). */
export interface SubmitHost {
  readonly settings: KernelSettings;
  readonly secrets: SecretRegistry;
  /** `map`: the value the call settles with, made in the call's last step (see `Kernel.executeById`). */
  executeById<V>(
    endpointId: string,
    input: unknown,
    options: CallOptions | undefined,
    map: (result: CallResult) => V,
  ): Promise<V>;
  endpoint(endpointId: string): CompiledEndpoint;
  pluginOf(endpointId: string): PluginSpec;
  getServices(): KernelServices;
  /** The controller `callerSignalOnly` futures of `signal` poll with (aborted by it and by `close()`). */
  sharedPollController(signal: AbortSignal): AbortController;
  /** Told once each future settles (the kernel stops tracking it for `close()`). */
  readonly futureSettled?: (future: APIFuture<unknown>) => void;
}

/**
 * `kernel.submit`: send the request that starts the operation and return its future at once. The
 * endpoint names the plugin's poll protocol (`future: 'name'`); the Futures port polls it through the
 * pipeline. Throws at once for an endpoint that is not a future endpoint.
 */
export function submitFuture<T>(
  host: SubmitHost,
  endpointId: string,
  input: unknown,
  options: SubmitOptions,
): APIFuture<T> {
  const endpoint = host.endpoint(endpointId);
  const plugin = host.pluginOf(endpointId);
  const protocol = endpoint.spec.future ? plugin.pollProtocols?.[endpoint.spec.future] : undefined;
  if (!protocol) throw new PristineError(`Endpoint "${endpointId}" is not a future endpoint`);
  const clock = host.getServices().clock;
  const started = clock.monotonic();
  const { maxResultBytes, onQueueState, resubmitInput, after, callerSignalOnly, ...callOptions } = options;
  // Named as its users called it: 0.25's `forward_backward_proto` is the `forward_backward` they made.
  const name = endpoint.spec.callName ?? endpointId;
  // `timeoutMs` bounds the whole future (and, as for any call, each attempt of its submission).
  const deadline =
    callOptions.timeoutMs === undefined
      ? undefined
      : new FutureDeadline(clock, callOptions.timeoutMs, callOptions.signal, name);
  const signal = deadline ? deadline.signal : callOptions.signal;
  const shared = callerSignalOnly && signal && !deadline ? host.sharedPollController(signal) : undefined;
  const submitOptions = deadline ? { ...callOptions, signal } : callOptions;
  const submission = new Submission(host, endpointId, submitOptions, protocol, input, resubmitInput);
  const sent = after ? Promise.resolve(after).then(() => submission.send(input)) : submission.send(input);
  const accepted = deadline
    ? sent.catch((error: unknown) => {
        throw deadline.failure(error, undefined);
      })
    : sent;
  const future = new APIFuture<T>(
    accepted,
    pollFor<T>(submission, plugin, endpoint, maxResultBytes, onQueueState, started, deadline),
    clock,
    // The caller's signal ends the polling too (joined to the future's own by APIFuture).
    signal,
    { shared, onSettled: host.futureSettled, endpointId: name },
  );
  if (deadline) future.then(deadline.end, deadline.end);
  return future;
}

/**
 * What a pending future keeps of its submission (to resubmit an expired one): an object of its own
 * rather than `submitFuture`'s scope, which the poll's closures would otherwise keep whole (every
 * option and local of the call) for the future's life.
 */
class Submission {
  // Set in the constructor, not as parameter properties: those are class-body fields, whose initializer
  // is a function of its own that V8 may compile on its own in a burst (see APIFuture).
  declare readonly host: SubmitHost;
  declare readonly endpointId: string;
  declare private readonly callOptions: CallOptions;
  declare readonly protocol: PollProtocol<unknown>;
  declare private readonly input: unknown;
  declare private readonly resubmitInput: (() => unknown) | undefined;

  constructor(
    host: SubmitHost,
    endpointId: string,
    callOptions: CallOptions,
    protocol: PollProtocol<unknown>,
    input: unknown,
    resubmitInput: (() => unknown) | undefined,
  ) {
    this.host = host;
    this.endpointId = endpointId;
    this.callOptions = callOptions;
    this.protocol = protocol;
    this.input = input;
    this.resubmitInput = resubmitInput;
  }

  /** Not async, nor a `then` of its own: the id is read in the call's last step. */
  send(body: unknown): Promise<string> {
    return this.host.executeById(this.endpointId, body, this.callOptions, (result) =>
      this.protocol.requestId(result.body),
    );
  }

  resubmit(): Promise<string> {
    return this.send(this.resubmitInput ? this.resubmitInput() : this.input);
  }
}

/** The future's poll: its closures see only what they use (see `Submission`). */
function pollFor<T>(
  submission: Submission,
  plugin: PluginSpec,
  endpoint: CompiledEndpoint,
  maxResultBytes: number | undefined,
  onQueueState: SubmitOptions['onQueueState'],
  started: number,
  deadline: FutureDeadline | undefined,
): (requestId: string, signal: AbortSignal) => Promise<T> {
  return (requestId, signal) => {
    const host = submission.host;
    const clock = host.getServices().clock;
    return (
      host
        .getServices()
        .futures.poll<T>(submission.protocol as PollProtocol<T>, requestId, {
          signal,
          maxResultBytes,
          resultBudgetKey: resultBudgetKey(plugin, endpoint),
          onQueueState,
          // Consecutive failed polls tolerated: the plugin's default retry budget (polls themselves
          // are sent without retries, each poll being one attempt of the loop).
          maxConsecutiveFailures:
            plugin.retryPolicies?.default?.maxRetries ??
            plugin.defaults?.maxRetries ??
            host.settings.maxRetries,
          submitEndpoint: submission.endpointId,
          submitRoundtripMs: clock.monotonic() - started,
          resubmit: () => submission.resubmit(),
        })
        // A failed future carries the server's message and body: scrubbed like a call's error. One
        // `then` pair (a result that fails its schema is scrubbed too), held for the future's life.
        .then(
          (value) => {
            try {
              return checkResult(host, endpoint, value);
            } catch (error) {
              throw scrubbed(host, error);
            }
          },
          (error: unknown) => {
            throw scrubbed(host, deadline ? deadline.failure(error, requestId) : error);
          },
        )
    );
  };
}

/** The semaphore name of an endpoint's in-flight result bytes, built once per endpoint (not per future). */
const budgetKeys = new WeakMap<CompiledEndpoint, string>();

function resultBudgetKey(plugin: PluginSpec, endpoint: CompiledEndpoint): string {
  let key = budgetKeys.get(endpoint);
  if (key === undefined) {
    key = `${plugin.name}:${endpoint.spec.future}:result-bytes`;
    budgetKeys.set(endpoint, key);
  }
  return key;
}

function scrubbed(host: SubmitHost, error: unknown): unknown {
  return error instanceof Error ? scrubError(error, host.secrets) : error;
}

/** A future's final value against the endpoint's `result` schema, as responses are checked. */
function checkResult<T>(host: SubmitHost, endpoint: CompiledEndpoint, value: T): T {
  const mode = host.settings.responseValidation;
  const issues = mode === 'off' ? [] : (endpoint.validateResult?.(value) ?? []);
  if (issues.length === 0) return value;
  if (mode === 'strict') throw new ResponseValidationError(`${endpoint.id} (result)`, issues, value);
  host.getServices().logger.warn('future result does not match schema', {
    endpointId: endpoint.id,
    issues,
  });
  return value;
}

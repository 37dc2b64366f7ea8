import { OptionChecks, type CallOptions, type PageIterable } from 'pristine-kernel';
import { maxRetriesGiven } from '../config.js';
import type { Checkpoint, TrainingRun } from '../types/schemas.js';
import { parseTinkerPath } from '../types/tinker-path.js';
// The ServiceClient as seen from here (client-host.ts), not the class: importing service-client.ts,
// which constructs this client, would make the two modules import each other.
import type { ClientHost as ServiceClient } from './client-host.js';
import * as account from './rest-account.js';
import { CallScope, pagesWithin, type RequestOptions } from './request-options.js';
import { defaultsOf, optionsView } from './options-view.js';
import type { HubOptions } from '../hub/hub-settings.js';
import { hubOptionsOf } from './tinker-kernel.js';
import { archiveUrl, openArchive, type CheckpointArchiveUrl } from './checkpoint-archive.js';
import { captureCalls } from '../telemetry/capture.js';
import { deleteCheckpoint, type CheckpointDeleted } from './checkpoint-delete.js';
import {
  ARCHIVE_URL_RETRIES,
  PAGE_SIZE_ONLY,
  TRACE_EXPORT_OPTIONS,
  TRACE_EXPORT_TIMEOUT_MS,
  pageSize,
  type TraceExportOptions,
} from './rest-options.js';

export type AccessScope = 'owned' | 'accessible';
export type { CheckpointArchiveUrl, TraceExportOptions };

/**
 * The REST API: training runs, checkpoints, sessions and samplers. Needs no session. Every call checks its
 * input first (`ValidationError` naming the field, nothing sent) and rejects with the kernel's typed
 * errors: an `APIStatusError` subclass for a refusal (`NotFoundError`, `PermissionDeniedError` …),
 * `APIConnectionError` or `APITimeoutError`, and `APIUserAbortError` when `signal` aborts.
 */
export class RestClient {
  constructor(private readonly service: ServiceClient) {}

  static {
    // REST calls report to the session-less telemetry, as the Python SDK's REST holder does.
    captureCalls(RestClient.prototype, (self) => self.service.restTelemetry());
  }

  /**
   * The Hub options of `pushCheckpointToHub(rest, …)`: the client's proxy and logger unless `options`
   * names others (static, so it is no method of the API and reports nothing to telemetry).
   */
  static hubOptionsOf<T extends HubOptions>(rest: RestClient, options: T): T {
    return hubOptionsOf(rest.kernel, rest.service.config, options);
  }

  private get kernel() {
    return this.service.kernel;
  }

  /** One call's signal and deadline (see RequestOptions), under the defaults of the view it came through. */
  private scope(options: RequestOptions | undefined, method: string): CallScope {
    return new CallScope(options, method, this.kernel.getServices().clock, defaultsOf(this));
  }

  /** What a listing's scope is made of: the kernel's clock and the defaults of the view it came through. */
  private get listing() {
    return { clock: this.kernel.getServices().clock, defaults: defaultsOf(this) };
  }

  /**
   * This client under default request options (see `ServiceClient.withOptions`): every call through the
   * view takes `defaults` (for the `iterate…` listings, each whole iteration).
   */
  withOptions(defaults: RequestOptions): this {
    return optionsView(this, defaults);
  }

  /** `GET /training_runs/{id}`: one training run; `access_scope` `'accessible'` includes shared runs. */
  async getTrainingRun(
    training_run_id: string,
    access_scope?: AccessScope,
    options?: RequestOptions,
  ): Promise<TrainingRun> {
    const scope = this.scope(options, 'getTrainingRun');
    return scope.run(() =>
      this.kernel.call(
        'get_training_run',
        { training_run_id, ...(access_scope ? { access_scope } : {}) },
        scope.options,
      ),
    );
  }

  /** As `getTrainingRun`, for the run a `tinker://` path names (a malformed path is a ValidationError). */
  async getTrainingRunByTinkerPath(
    tinker_path: string,
    access_scope?: AccessScope,
    options?: RequestOptions,
  ): Promise<TrainingRun> {
    return this.getTrainingRun(parseTinkerPath(tinker_path).training_run_id, access_scope, options);
  }

  /** `POST /weights_info`: a checkpoint's base model and LoRA settings (`is_lora`, `lora_rank` …). */
  async getWeightsInfoByTinkerPath(tinker_path: string, options?: RequestOptions) {
    parseTinkerPath(tinker_path);
    const scope = this.scope(options, 'getWeightsInfoByTinkerPath');
    return scope.run(() => this.kernel.call('weights_info', { tinker_path }, scope.options));
  }

  /** `GET /training_runs`: one page (`limit` 20, `offset` 0) of runs and the `cursor` with `total_count`. */
  async listTrainingRuns(
    opts: { limit?: number; offset?: number; access_scope?: AccessScope; project_id?: string } = {},
    options?: RequestOptions,
  ) {
    // Destructured defaults: a member given as undefined is not given (a spread would send no limit).
    const {
      limit = 20,
      offset = 0,
      ...filters
    } = OptionChecks.optionsObject('listTrainingRuns options', opts);
    const input = { limit, offset, ...filters };
    const scope = this.scope(options, 'listTrainingRuns');
    return scope.run(() => this.kernel.call('list_training_runs', input, scope.options));
  }

  /** Every training run, page by page (`timeoutMs` bounds one whole iteration). */
  iterateTrainingRuns(
    opts: { page_size?: number; access_scope?: AccessScope; project_id?: string } = {},
    options?: RequestOptions,
  ): PageIterable<TrainingRun> {
    return pagesWithin(options, 'iterateTrainingRuns', this.listing, (call) => {
      const { page_size, ...filters } = OptionChecks.optionsObject('iterateTrainingRuns options', opts);
      // The filters of listTrainingRuns, on every page (the kernel sends no undefined one).
      return this.kernel.paginate('list_training_runs', filters, {
        ...call,
        pageSize: pageSize(page_size, 20, 'iterateTrainingRuns'),
      });
    });
  }

  /** `GET /training_runs/{id}/checkpoints`: the checkpoints of one run (NotFoundError for an unknown run). */
  async listCheckpoints(training_run_id: string, options?: RequestOptions) {
    const scope = this.scope(options, 'listCheckpoints');
    return scope.run(() => this.kernel.call('list_checkpoints', { training_run_id }, scope.options));
  }

  /** `GET /checkpoints`: one page (`limit` 100, `offset` 0) of the user's checkpoints across runs. */
  async listUserCheckpoints(opts: { limit?: number; offset?: number } = {}, options?: RequestOptions) {
    const {
      limit = 100,
      offset = 0,
      ...others
    } = OptionChecks.optionsObject('listUserCheckpoints options', opts);
    const input = { limit, offset, ...others }; // the schema refuses any other key by name
    const scope = this.scope(options, 'listUserCheckpoints');
    return scope.run(() => this.kernel.call('list_user_checkpoints', input, scope.options));
  }

  /** Every checkpoint of the user, page by page (`timeoutMs` bounds one whole iteration). */
  iterateUserCheckpoints(
    opts: { page_size?: number } = {},
    options?: RequestOptions,
  ): PageIterable<Checkpoint> {
    return pagesWithin(options, 'iterateUserCheckpoints', this.listing, (call) => {
      const { page_size } = OptionChecks.optionsObject(
        'iterateUserCheckpoints options',
        opts,
        PAGE_SIZE_ONLY,
      );
      return this.kernel.paginate(
        'list_user_checkpoints',
        {},
        { ...call, pageSize: pageSize(page_size, 100, 'iterateUserCheckpoints') },
      );
    });
  }

  /**
   * A signed download URL for a checkpoint archive. The server answers 302 with `Location` (and
   * `Expires`, else 15 minutes); a 503 means the archive is being prepared, so wait and ask again.
   * Besides `signal` and `timeoutMs` (which bounds the waits too), takes the kernel's other call options.
   * Endpoint: `GET /training_runs/{id}/checkpoints/{checkpoint_id}/archive`.
   */
  async getCheckpointArchiveUrl(
    training_run_id: string,
    checkpoint_id: string,
    options: CallOptions = {},
  ): Promise<CheckpointArchiveUrl> {
    const { signal, timeoutMs, ...rest } = OptionChecks.optionsObject(
      'getCheckpointArchiveUrl options',
      options,
    );
    const scope = this.scope({ signal, timeoutMs }, 'getCheckpointArchiveUrl');
    // The call's maxRetries, else the client's `max_retries` when the user gave one (`--max-retries 0`
    // means every request), else 2 of its own. Only an absent one falls through: null goes on to the
    // kernel's check, which refuses it.
    const { config } = this.service;
    const fallback = maxRetriesGiven(config) ? config.max_retries : ARCHIVE_URL_RETRIES;
    const call = {
      ...rest,
      ...scope.options,
      maxRetries: rest.maxRetries === undefined ? fallback : rest.maxRetries,
    };
    // No retries ("fails at once"), the call's or else the client's, skips the 503 waits too.
    const waits = call.maxRetries !== 0;
    return scope.run(() => archiveUrl(this.kernel, training_run_id, checkpoint_id, call, waits));
  }

  /** As `getCheckpointArchiveUrl`, for a checkpoint's `tinker://` path. */
  async getCheckpointArchiveUrlFromTinkerPath(tinker_path: string, options?: CallOptions) {
    const p = parseTinkerPath(tinker_path);
    return this.getCheckpointArchiveUrl(p.training_run_id, p.checkpoint_id, options);
  }

  /** Run one checkpoint endpoint on a `tinker://` path. */
  private onCheckpoint(
    endpoint: 'publish_checkpoint' | 'unpublish_checkpoint',
    method: string,
    path: { training_run_id: string; checkpoint_id: string },
    options: RequestOptions | undefined,
  ): Promise<void> {
    const { training_run_id, checkpoint_id } = path;
    const scope = this.scope(options, method);
    return scope.run(async () => {
      await this.kernel.call(endpoint, { training_run_id, checkpoint_id }, scope.options);
    });
  }

  /**
   * `DELETE /training_runs/{id}/checkpoints/{checkpoint_id}`. A 404 is NotFoundError, except on a retry
   * after an attempt that may have been applied: that is success.
   */
  async deleteCheckpoint(
    training_run_id: string,
    checkpoint_id: string,
    options?: RequestOptions,
  ): Promise<CheckpointDeleted> {
    return this.deleteAt({ training_run_id, checkpoint_id }, 'deleteCheckpoint', options);
  }

  private deleteAt(
    path: { training_run_id: string; checkpoint_id: string },
    method: string,
    options: RequestOptions | undefined,
  ): Promise<CheckpointDeleted> {
    const scope = this.scope(options, method);
    return scope.run(() => deleteCheckpoint(this.kernel, path, scope.options));
  }

  /** As `deleteCheckpoint`, for a checkpoint's `tinker://` path. */
  async deleteCheckpointFromTinkerPath(
    tinker_path: string,
    options?: RequestOptions,
  ): Promise<CheckpointDeleted> {
    return this.deleteAt(parseTinkerPath(tinker_path), 'deleteCheckpointFromTinkerPath', options);
  }

  /** `POST …/checkpoints/{checkpoint_id}/publish`: make it public (ConflictError if it already is). */
  async publishCheckpointFromTinkerPath(tinker_path: string, options?: RequestOptions): Promise<void> {
    return this.onCheckpoint(
      'publish_checkpoint',
      'publishCheckpointFromTinkerPath',
      parseTinkerPath(tinker_path),
      options,
    );
  }

  /** `DELETE …/checkpoints/{checkpoint_id}/publish`: make it private (ConflictError if it is). */
  async unpublishCheckpointFromTinkerPath(tinker_path: string, options?: RequestOptions): Promise<void> {
    return this.onCheckpoint(
      'unpublish_checkpoint',
      'unpublishCheckpointFromTinkerPath',
      parseTinkerPath(tinker_path),
      options,
    );
  }

  /** `PUT …/checkpoints/{checkpoint_id}/ttl`: the time-to-live in seconds; `null` removes the expiry. */
  async setCheckpointTtlFromTinkerPath(
    tinker_path: string,
    ttl_seconds: number | null,
    options?: RequestOptions,
  ): Promise<void> {
    const { training_run_id, checkpoint_id } = parseTinkerPath(tinker_path);
    const scope = this.scope(options, 'setCheckpointTtlFromTinkerPath');
    await scope.run(() =>
      this.kernel.call('set_checkpoint_ttl', { training_run_id, checkpoint_id, ttl_seconds }, scope.options),
    );
  }

  /** `GET /sessions/{id}`: the ids of the session's training runs and samplers. */
  async getSession(session_id: string, access_scope?: AccessScope, options?: RequestOptions) {
    const scope = this.scope(options, 'getSession');
    return scope.run(() =>
      this.kernel.call(
        'get_session',
        { session_id, ...(access_scope ? { access_scope } : {}) },
        scope.options,
      ),
    );
  }

  /** `GET /sessions`: one page (`limit` 20, `offset` 0) of session ids. */
  async listSessions(
    opts: { limit?: number; offset?: number; access_scope?: AccessScope } = {},
    options?: RequestOptions,
  ) {
    // Destructured defaults: a member given as undefined is not given (a spread would send no limit).
    const { limit = 20, offset = 0, ...filters } = OptionChecks.optionsObject('listSessions options', opts);
    const input = { limit, offset, ...filters };
    const scope = this.scope(options, 'listSessions');
    return scope.run(() => this.kernel.call('list_sessions', input, scope.options));
  }

  /** Every session id, page by page (`timeoutMs` bounds one whole iteration). */
  iterateSessions(
    opts: { page_size?: number; access_scope?: AccessScope } = {},
    options?: RequestOptions,
  ): PageIterable<string> {
    return pagesWithin(options, 'iterateSessions', this.listing, (call) => {
      const { page_size, ...filters } = OptionChecks.optionsObject('iterateSessions options', opts);
      return this.kernel.paginate('list_sessions', filters, {
        ...call,
        pageSize: pageSize(page_size, 20, 'iterateSessions'),
      });
    });
  }

  /** `GET /samplers/{id}`: a sampler's base model and, for saved weights, its `model_path`. */
  async getSampler(sampler_id: string, options?: RequestOptions) {
    const scope = this.scope(options, 'getSampler');
    return scope.run(() => this.kernel.call('get_sampler', { sampler_id }, scope.options));
  }

  /** The credential's user and email, from JWT claims (0.23.2+; no request). */
  async whoami(options?: RequestOptions) {
    const scope = this.scope(options, 'whoami');
    return scope.run(() => account.whoami(this.service, scope.signal));
  }

  /**
   * Export a session's trace (`GET /sessions/{id}/trace_export`): polls every `pollIntervalMs` (5 s)
   * until the export is ready, resolves with its URL. `timeoutMs` bounds the whole wait: by default 10
   * minutes (the CLI's bound), since a server that keeps answering `pending` would otherwise be polled
   * forever. An export the server reports `failed` rejects with its error.
   */
  async exportSessionTrace(session_id: string, opts: TraceExportOptions = {}, options?: RequestOptions) {
    const o = OptionChecks.optionsObject('exportSessionTrace options', opts, TRACE_EXPORT_OPTIONS);
    // A NaN or negative interval is no pause at all: the export would be polled flat out.
    new OptionChecks('exportSessionTrace options')
      .duration('pollIntervalMs', o.pollIntervalMs)
      .func('onProgress', o.onProgress)
      .throwIfAny();
    const merged = { signal: o.signal, timeoutMs: o.timeoutMs, ...options };
    // The call's own bound, else a view's (`withOptions`), else this method's own default.
    merged.timeoutMs ??= defaultsOf(this)?.timeoutMs ?? TRACE_EXPORT_TIMEOUT_MS;
    const scope = this.scope(merged, 'exportSessionTrace');
    // `timeoutMs` bounds the whole wait (its deadline is in the signal), not each poll: a poll keeps the
    // client's own timeout and retries, so one that never answers fails as that request's timeout.
    const poll = scope.signal ? { signal: scope.signal } : {};
    return scope.run(() =>
      account.exportSessionTrace(this.service, session_id, o.pollIntervalMs, poll, o.onProgress),
    );
  }

  /** `GET /billing/usage/events`: the usage rows in `[starting_on, ending_before)` (Date or RFC 3339). */
  async getBillingUsage(starting_on: Date | string, ending_before: Date | string, options?: RequestOptions) {
    const scope = this.scope(options, 'getBillingUsage');
    return scope.run(() => account.getBillingUsage(this.service, starting_on, ending_before, scope.options));
  }

  /** `GET /audit`: the organization's audit entries of one UTC `day` (default today); admin role only. */
  async getAuditLog(opts?: account.AuditLogOptions, options?: RequestOptions) {
    const o = OptionChecks.optionsObject('getAuditLog options', opts, account.AUDIT_LOG_OPTIONS);
    const scope = this.scope(options, 'getAuditLog');
    return scope.run(() => account.getAuditLog(this.service, o, scope.options));
  }

  /** `PUT /sessions/{id}/project`: move a session, its runs and samplers, into a project (no way out). */
  async assignSessionProject(
    session_id: string,
    project_id: string,
    options?: RequestOptions,
  ): Promise<void> {
    const scope = this.scope(options, 'assignSessionProject');
    return scope.run(() => account.assignSessionProject(this.service, session_id, project_id, scope.options));
  }

  /**
   * Open the archive bytes of a signed URL as a stream (used by downloadCheckpoint). `timeoutMs` bounds
   * getting the response; `signal` also stops reading the body.
   */
  async openDownload(url: string, options?: RequestOptions) {
    const scope = this.scope(options, 'openDownload');
    return scope.run(() => openArchive(this.kernel, url, scope.options));
  }
}

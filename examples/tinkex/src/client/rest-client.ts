import { APIStatusError, ValidationError, type CallOptions, type PageIterable } from 'pristine-kernel';
import type { Checkpoint, TrainingRun } from '../types/schemas.js';
import { parseTinkerPath } from '../types/tinker-path.js';
import { optionsOf } from '../types/wire-check.js';
import type { ServiceClient } from './service-client.js';
import * as account from './rest-account.js';

export type AccessScope = 'owned' | 'accessible';

export interface CheckpointArchiveUrl {
  url: string;
  expires: Date;
}

/** How long to wait on a 503 while the archive is being prepared, and how often. */
const ARCHIVE_WAIT_MS = 30_000;
const ARCHIVE_ATTEMPTS = 6;

/** The REST API: training runs, checkpoints, sessions and samplers. Needs no session. */
export class RestClient {
  constructor(private readonly service: ServiceClient) {}

  private get kernel() {
    return this.service.kernel;
  }

  getTrainingRun(training_run_id: string, access_scope?: AccessScope): Promise<TrainingRun> {
    return this.kernel.call('get_training_run', {
      training_run_id,
      ...(access_scope ? { access_scope } : {}),
    });
  }

  async getTrainingRunByTinkerPath(tinker_path: string, access_scope?: AccessScope): Promise<TrainingRun> {
    return this.getTrainingRun(parseTinkerPath(tinker_path).training_run_id, access_scope);
  }

  async getWeightsInfoByTinkerPath(tinker_path: string) {
    parseTinkerPath(tinker_path);
    return this.kernel.call('weights_info', { tinker_path });
  }

  listTrainingRuns(
    opts: { limit?: number; offset?: number; access_scope?: AccessScope; project_id?: string } = {},
  ) {
    return this.kernel.call('list_training_runs', {
      limit: 20,
      offset: 0,
      ...optionsOf(opts, 'listTrainingRuns options'),
    });
  }

  /** Every training run, page by page. */
  iterateTrainingRuns(
    opts: { page_size?: number; access_scope?: AccessScope } = {},
  ): PageIterable<TrainingRun> {
    opts = optionsOf(opts, 'iterateTrainingRuns options');
    return this.kernel.paginate<TrainingRun>(
      'list_training_runs',
      opts.access_scope ? { access_scope: opts.access_scope } : {},
      { pageSize: opts.page_size ?? 20 },
    );
  }

  listCheckpoints(training_run_id: string) {
    return this.kernel.call('list_checkpoints', { training_run_id });
  }

  listUserCheckpoints(opts: { limit?: number; offset?: number } = {}) {
    return this.kernel.call('list_user_checkpoints', {
      limit: 100,
      offset: 0,
      ...optionsOf(opts, 'listUserCheckpoints options'),
    });
  }

  iterateUserCheckpoints(opts: { page_size?: number } = {}): PageIterable<Checkpoint> {
    const { page_size } = optionsOf(opts, 'iterateUserCheckpoints options');
    return this.kernel.paginate<Checkpoint>('list_user_checkpoints', {}, { pageSize: page_size ?? 100 });
  }

  /**
   * A signed download URL for a checkpoint archive. The server answers 302 with `Location` (and
   * `Expires`, else 15 minutes); a 503 means the archive is being prepared, so wait and ask again.
   */
  async getCheckpointArchiveUrl(
    training_run_id: string,
    checkpoint_id: string,
    options: CallOptions = {},
  ): Promise<CheckpointArchiveUrl> {
    options = optionsOf(options, 'getCheckpointArchiveUrl options');
    const clock = this.kernel.getServices().clock;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.kernel.execute(
          'get_checkpoint_archive_url',
          { training_run_id, checkpoint_id },
          { ...options, maxRetries: options.maxRetries ?? 2 },
        );
        const location = result.headers.location;
        if (result.status < 300 || !location) {
          const body = typeof result.body === 'string' && result.body ? JSON.parse(result.body) : result.body;
          if (body && typeof body === 'object' && 'url' in body)
            return {
              url: String(body.url),
              expires: new Date(String((body as { expires?: string }).expires ?? clock.now() + 900_000)),
            };
          throw new ValidationError('archive response', [
            { pointer: '/location', rule: 'redirect', message: `expected a redirect, got ${result.status}` },
          ]);
        }
        const expires = result.headers.expires
          ? new Date(result.headers.expires)
          : new Date(clock.now() + 15 * 60_000);
        return {
          url: location,
          expires: Number.isNaN(expires.getTime()) ? new Date(clock.now() + 15 * 60_000) : expires,
        };
      } catch (error) {
        if (error instanceof APIStatusError && error.status === 503 && attempt < ARCHIVE_ATTEMPTS) {
          await clock.sleep(ARCHIVE_WAIT_MS, options.signal);
          continue;
        }
        throw error;
      }
    }
  }

  async getCheckpointArchiveUrlFromTinkerPath(tinker_path: string, options?: CallOptions) {
    const p = parseTinkerPath(tinker_path);
    return this.getCheckpointArchiveUrl(p.training_run_id, p.checkpoint_id, options);
  }

  async deleteCheckpoint(training_run_id: string, checkpoint_id: string): Promise<void> {
    await this.kernel.call('delete_checkpoint', { training_run_id, checkpoint_id });
  }

  async deleteCheckpointFromTinkerPath(tinker_path: string) {
    const p = parseTinkerPath(tinker_path);
    return this.deleteCheckpoint(p.training_run_id, p.checkpoint_id);
  }

  /** Make a checkpoint public (409 ConflictError if it already is). */
  async publishCheckpointFromTinkerPath(tinker_path: string): Promise<void> {
    const p = parseTinkerPath(tinker_path);
    await this.kernel.call('publish_checkpoint', {
      training_run_id: p.training_run_id,
      checkpoint_id: p.checkpoint_id,
    });
  }

  async unpublishCheckpointFromTinkerPath(tinker_path: string): Promise<void> {
    const p = parseTinkerPath(tinker_path);
    await this.kernel.call('unpublish_checkpoint', {
      training_run_id: p.training_run_id,
      checkpoint_id: p.checkpoint_id,
    });
  }

  /** Set a time-to-live in seconds; `null` removes the expiry. */
  async setCheckpointTtlFromTinkerPath(tinker_path: string, ttl_seconds: number | null): Promise<void> {
    const p = parseTinkerPath(tinker_path);
    await this.kernel.call('set_checkpoint_ttl', {
      training_run_id: p.training_run_id,
      checkpoint_id: p.checkpoint_id,
      ttl_seconds,
    });
  }

  getSession(session_id: string, access_scope?: AccessScope) {
    return this.kernel.call('get_session', { session_id, ...(access_scope ? { access_scope } : {}) });
  }

  listSessions(opts: { limit?: number; offset?: number; access_scope?: AccessScope } = {}) {
    return this.kernel.call('list_sessions', {
      limit: 20,
      offset: 0,
      ...optionsOf(opts, 'listSessions options'),
    });
  }

  iterateSessions(opts: { page_size?: number } = {}): PageIterable<string> {
    const { page_size } = optionsOf(opts, 'iterateSessions options');
    return this.kernel.paginate<string>('list_sessions', {}, { pageSize: page_size ?? 20 });
  }

  getSampler(sampler_id: string) {
    return this.kernel.call('get_sampler', { sampler_id });
  }

  /** The credential's user and email, from JWT claims (0.23.2+; no request). */
  whoami() {
    return account.whoami(this.service);
  }

  /** Export a session's trace: polls every 5 s until the export is ready, resolves with its URL. */
  exportSessionTrace(session_id: string, opts?: { pollIntervalMs?: number; signal?: AbortSignal }) {
    return account.exportSessionTrace(this.service, session_id, opts);
  }

  getBillingUsage(starting_on: Date | string, ending_before: Date | string) {
    return account.getBillingUsage(this.service, starting_on, ending_before);
  }

  getAuditLog(opts?: { event_type?: 'all' | 'checkpoints'; day?: string }) {
    return account.getAuditLog(this.service, opts);
  }

  assignSessionProject(session_id: string, project_id: string): Promise<void> {
    return account.assignSessionProject(this.service, session_id, project_id);
  }

  /** Open the archive bytes of a signed URL as a stream (used by downloadCheckpoint). */
  async openDownload(url: string, signal?: AbortSignal) {
    const target = new URL(url);
    const query = Object.fromEntries(target.searchParams);
    const path = target.pathname.replace(/^\//, '').split('/').map(decodeURIComponent).join('/');
    const result = await this.kernel.execute(
      'download_archive',
      { path },
      { baseUrl: target.origin, query, signal },
    );
    return {
      size: Number(result.headers['content-length'] ?? Number.NaN),
      body: result.response!.body,
      cancel: () => result.response!.cancel(),
    };
  }
}

import type { Clock } from '../../ports/clock.js';
import { everyWhileReachable } from '../timers/every-while-reachable.js';
import type { Logger } from '../../ports/logger.js';
import type { SessionHandle, SessionManager, SessionProtocol } from '../../ports/sessions.js';
import { ClientClosedError } from '../errors/api-errors.js';
import type { KernelEvents } from '../events.js';
import type { CallOptions, CallResult } from '../pipeline/context.js';

export interface SessionHost {
  execute(endpointId: string, input: unknown, options?: CallOptions): Promise<CallResult>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly events: KernelEvents;
  /** Aborted when the kernel closes (`KernelServices.stopping`). */
  stopping?(endpointId: string): AbortSignal;
}

/**
 * Opens sessions through the pipeline and keeps each alive with heartbeats on the Clock port. Heartbeats
 * never overlap and are never retried; a failing session is warned about once per window and kept.
 */
export class PipelineSessionManager implements SessionManager {
  private readonly handles = new Set<HeartbeatSession>();

  constructor(private readonly host: SessionHost) {}

  get sessions(): readonly SessionHandle[] {
    return [...this.handles];
  }

  async open<TInput>(
    protocol: SessionProtocol<TInput>,
    input: TInput,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<SessionHandle> {
    const created = await this.host.execute(protocol.createEndpoint, input, { signal: options.signal });
    // close() may have come while the answer was on its way: it stopped the sessions it knew of, and one
    // started now would beat (refused) for the process's life. The caller learns it as any call does.
    if (this.host.stopping?.(protocol.heartbeatEndpoint).aborted) {
      throw new ClientClosedError(
        `The client was closed while a session was being opened (${protocol.createEndpoint}): no heartbeat is sent.`,
      );
    }
    try {
      protocol.onCreated?.(created.body);
    } catch {
      /* a plugin's observer never breaks session creation */
    }
    const session = new HeartbeatSession(
      protocol.sessionId(created.body),
      protocol as SessionProtocol,
      this.host,
      () => this.handles.delete(session),
    );
    this.handles.add(session);
    session.start();
    return session;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.handles].map((s) => s.stop()));
  }
}

class HeartbeatSession implements SessionHandle {
  private cancelTimer?: () => void;
  private inFlight?: Promise<void>;
  /** Both `clock.monotonic()`: a wall-clock step must not fake (or hide) an hour of failing beats. */
  private failingSince?: number;
  private warnedAt?: number;
  private stopped = false;
  private restOneTick = false;

  constructor(
    readonly id: string,
    private readonly protocol: SessionProtocol,
    private readonly host: SessionHost,
    private readonly onStop: () => void,
  ) {}

  start(): void {
    // Held weakly: a kernel nobody can reach (a client never closed) is collected, and its beat stops.
    this.cancelTimer = everyWhileReachable(this.host.clock, this.protocol.intervalMs, this, (session) =>
      session.tick(),
    );
  }

  private tick(): void {
    if (this.inFlight || this.stopped) return;
    // A beat that outlasted the interval (a hung server's, until its timeout) is followed by one tick
    // left out: run back to back, a beat was always in flight and a script that never called close()
    // could not exit. The Python SDK likewise sleeps a whole interval after each beat.
    if (this.restOneTick) {
      this.restOneTick = false;
      return;
    }
    const { clock } = this.host;
    const startedAt = clock.monotonic();
    this.inFlight = this.beat().finally(() => {
      this.inFlight = undefined;
      this.restOneTick = clock.monotonic() - startedAt >= this.protocol.intervalMs;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    await this.inFlight;
    this.onStop();
  }

  /** The server forgot the session: beating on would only be refused every interval, for ever. */
  private gone(error: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelTimer?.();
    this.onStop();
    this.host.logger.warn('the server no longer knows this session: its heartbeats stopped', {
      sessionId: this.id,
      error: (error as Error).message,
    });
  }

  private async beat(): Promise<void> {
    const { clock, logger, events } = this.host;
    try {
      await this.host.execute(this.protocol.heartbeatEndpoint, this.protocol.heartbeatInput(this.id), {
        timeoutMs: this.protocol.heartbeatTimeoutMs,
        maxRetries: 0,
        // A trace of its own: the timer runs in the context of the call that opened the session, whose
        // trace would otherwise gain a heartbeat every interval for the session's whole life.
        parentSpan: null,
      });
      this.failingSince = undefined;
      this.warnedAt = undefined;
    } catch (error) {
      if (this.protocol.isGone?.(error)) return this.gone(error);
      const now = clock.monotonic();
      this.failingSince ??= now;
      const failingForMs = now - this.failingSince;
      const window = this.protocol.failureWindowMs ?? 120_000;
      if (failingForMs >= window && (this.warnedAt === undefined || now - this.warnedAt >= window)) {
        this.warnedAt = now;
        logger.warn('session heartbeats have been failing; the server may end the session', {
          sessionId: this.id,
          failingForMs,
          error: (error as Error).message,
        });
        events.emit('session:heartbeat-failed', { sessionId: this.id, failingForMs });
      }
    }
  }
}

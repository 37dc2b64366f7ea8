import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { OnRedisUnavailable } from '../../kernel/shared-state-options.js';
import { SystemClock } from '../clock/system-clock.js';
import type { Misconfiguration } from './redis-refusal.js';

/** Up this long after its last outage, Redis is taken as recovered; flips closer than this are one episode. */
export const FLAP_QUIET_MS = 60_000;

/** An outage and the flips that followed it within FLAP_QUIET_MS of each other. */
interface Episode {
  /** Wall time of the first failure (a date for the log). */
  since: number;
  outages: number;
  /** Wall and monotonic time of the latest recovery (Infinity-free: set at the first one). */
  upAt: number;
  upMono: number;
  lastLogMono: number;
}

/**
 * What the link logs about Redis going and coming back: the first failure at `warn` and the first
 * recovery at `info`, at once. A Redis Cluster with a master down alternates (calls on its slots fail,
 * the others succeed), and round 29's link logged a warn and an info per alternation: a flapping cluster
 * flooded the log. Now the failures and recoveries that follow within FLAP_QUIET_MS of each other are one
 * episode: counted, with at most one `warn` per FLAP_QUIET_MS while it lasts, and once Redis has been up
 * for FLAP_QUIET_MS one `info` saying when it first failed, when it recovered and how many outages it had.
 * That line comes from a timer set at each recovery of a flapping episode (so a process that goes idle
 * after the flap still says it ended: an operator's log must not end on "unreachable on and off"), or
 * with the next call after the quiet period, whichever is first. The timer is the clock's `every`, which
 * never keeps the process alive, cancelled when it runs, at the next failure and by `stop()`.
 */
export class OutageLog {
  private isDown = false;
  private episode: Episode | undefined;
  private logger: Logger | undefined;
  private clock: Clock = new SystemClock();
  /** Cancels the timer that sums up a flapping episode once Redis has been up for FLAP_QUIET_MS. */
  private cancelSummary: (() => void) | undefined;

  constructor(
    private readonly where: string,
    private readonly onUnavailable: OnRedisUnavailable,
  ) {}

  get down(): boolean {
    return this.isDown;
  }

  useLogger(logger: Logger): void {
    this.logger = logger;
  }

  useClock(clock: Clock): void {
    this.clock = clock;
  }

  /**
   * A command failed for `reason`; `setting`: a setting to fix, not an outage (a cluster node without
   * `cluster`; Redis refusing access or having no such database, said once at `error` level with the fix).
   */
  failed(reason: string, setting?: 'cluster' | Misconfiguration): void {
    if (this.isDown) return;
    this.isDown = true;
    this.stop();
    const mono = this.clock.monotonic();
    this.closeIfQuiet(mono);
    const episode = this.episode;
    if (!episode) {
      this.episode = { since: this.clock.now(), outages: 1, upAt: 0, upMono: mono, lastLogMono: mono };
      if (setting && setting !== 'cluster') return this.misconfigured(reason, setting);
      // A cluster node without `cluster` will not "return": only a new setting helps.
      const until = setting ? 'until shared.cluster is set' : 'until it returns';
      this.logger?.warn(
        this.onUnavailable === 'local'
          ? `Redis unreachable: fleet-wide limits fall back to in-process ones ${until}`
          : `Redis unreachable: calls needing fleet-wide limits fail ${until}`,
        { redis: this.where, error: reason },
      );
      return;
    }
    episode.outages++;
    if (mono - episode.lastLogMono < FLAP_QUIET_MS) return;
    episode.lastLogMono = mono;
    this.logger?.warn(
      this.onUnavailable === 'local'
        ? 'Redis unreachable on and off: fleet-wide limits fall back to in-process ones while it is'
        : 'Redis unreachable on and off: calls needing fleet-wide limits fail while it is',
      { redis: this.where, error: reason, since: iso(episode.since), outages: episode.outages },
    );
  }

  /** Redis is up and says a setting is wrong (credentials, rights, database): the line says the fix. */
  private misconfigured(reason: string, { problem, fix }: Misconfiguration): void {
    const effect =
      this.onUnavailable === 'local'
        ? 'fleet-wide limits fall back to in-process ones'
        : 'calls needing fleet-wide limits fail';
    this.logger?.error(
      `${problem}, a configuration error, not an outage: ${effect} until it is fixed; ${fix}`,
      { redis: this.where, error: reason },
    );
  }

  /** A command succeeded. */
  succeeded(): void {
    // Every command's path: nothing to time while Redis is up and no episode waits to be closed.
    if (!this.isDown && !this.episode) return;
    const mono = this.clock.monotonic();
    if (!this.isDown) return this.closeIfQuiet(mono);
    this.isDown = false;
    const episode = this.episode;
    if (!episode) return; // down is only ever set with an episode
    episode.upAt = this.clock.now();
    episode.upMono = mono;
    if (episode.outages === 1) {
      this.logger?.info('Redis reachable again: fleet-wide limits are shared again', { redis: this.where });
      return;
    }
    this.cancelSummary = this.clock.every(FLAP_QUIET_MS, () => {
      this.stop();
      this.closeIfQuiet(this.clock.monotonic());
    });
  }

  /** No summary timer pending (the link closes; or the episode ended or flipped again). */
  stop(): void {
    this.cancelSummary?.();
    this.cancelSummary = undefined;
  }

  /** Up for FLAP_QUIET_MS since the episode's last recovery: it is over (summed up if it flapped). */
  private closeIfQuiet(mono: number): void {
    const episode = this.episode;
    if (!episode || mono - episode.upMono < FLAP_QUIET_MS || (this.isDown && episode.upAt === 0)) return;
    this.episode = undefined;
    this.stop();
    if (episode.outages === 1) return;
    this.logger?.info('Redis reachable again after flapping: fleet-wide limits are shared again', {
      redis: this.where,
      since: iso(episode.since),
      recoveredAt: iso(episode.upAt),
      outages: episode.outages,
    });
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

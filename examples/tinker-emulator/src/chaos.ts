import { prng } from './model/prng.js';
import { MAX_TIMER_MS } from './timers.js';

export type EndpointClass = 'sessions' | 'training' | 'sampling' | 'futures' | 'rest' | 'telemetry';

export interface ChaosRule {
  /** Probability of a 5xx before the work is accepted. */
  error5xx: number;
  /** Probability of a 429 with Retry-After. */
  rateLimit: number;
  /** Probability of a connection reset. */
  reset: number;
  /** Probability of a truncated body (headers promise more bytes than are sent). */
  truncate: number;
  /** Probability of a 5xx AFTER the work was accepted (the retry must be deduplicated). */
  lost: number;
  /** Probability of a queue pause answer on a poll. */
  pause: number;
  /** Probability of a 410 on a poll. */
  expire: number;
  /** Probability of a failed heartbeat. */
  heartbeat: number;
  /** Probability of a 402 (billing pause) before the work is accepted. */
  paymentRequired: number;
  /** Probability of a 408 with a queue state (try_again-like body). */
  requestTimeout: number;
  /** Probability of a bare 400 (empty body, as proxies send). */
  bare400: number;
  /** Probability of FastAPI's request-validation 422 (`{"detail": [{type, loc, msg}]}`), before the handler. */
  validation422: number;
  /** Probability that a training request's work corrupts its run (the work fails; the run stays corrupted). */
  corrupt: number;
  latencyMs: number;
  latencyRate: number;
}

export const NO_CHAOS: ChaosRule = {
  error5xx: 0,
  rateLimit: 0,
  reset: 0,
  truncate: 0,
  lost: 0,
  pause: 0,
  expire: 0,
  heartbeat: 0,
  paymentRequired: 0,
  requestTimeout: 0,
  bare400: 0,
  validation422: 0,
  corrupt: 0,
  latencyMs: 0,
  latencyRate: 0,
};

const KEYS: Record<string, keyof ChaosRule> = {
  '5xx': 'error5xx',
  '429': 'rateLimit',
  reset: 'reset',
  truncate: 'truncate',
  lost: 'lost',
  pause: 'pause',
  expire: 'expire',
  heartbeat: 'heartbeat',
  '402': 'paymentRequired',
  '408': 'requestTimeout',
  '400': 'bare400',
  '422': 'validation422',
  corrupt: 'corrupt',
};

const CLASSES: EndpointClass[] = ['sessions', 'training', 'sampling', 'futures', 'rest', 'telemetry'];

/** The spec given, else the one in env TINKEX_EMULATOR_CHAOS, whose errors name the variable. */
export function chaosOrEnv(spec: string | undefined): Record<EndpointClass, ChaosRule> {
  if (spec !== undefined) return parseChaos(spec);
  try {
    return parseChaos(process.env.TINKEX_EMULATOR_CHAOS);
  } catch (error) {
    throw new Error((error as Error).message.replace(/^chaos: /, 'TINKEX_EMULATOR_CHAOS: '));
  }
}

/**
 * Parse a chaos spec: `;`-separated segments of comma-separated `fault=rate` pairs. A `scope=a|b` pair
 * (endpoint classes) applies to the faults of its own segment and of the segments before it that had
 * no scope yet; faults never followed by a scope apply to every class. `latency=20ms@0.1` adds 20 ms to
 * 10% of requests. Example: `5xx=0.2,429=0.1;scope=training|sampling;pause=0.2;scope=futures`.
 */
export function parseChaos(spec: string | undefined): Record<EndpointClass, ChaosRule> {
  const rules = Object.fromEntries(CLASSES.map((c) => [c, { ...NO_CHAOS }])) as Record<
    EndpointClass,
    ChaosRule
  >;
  if (!spec?.trim()) return rules;
  let pending: string[] = [];
  const apply = (pairs: string[], scope: EndpointClass[]) => {
    for (const pair of pairs) {
      const [name, value] = pair.split('=');
      if (name === 'latency') {
        const m = /^(\d+)ms(?:@([\d.]+))?$/.exec(value ?? '');
        if (!m) throw new Error(`chaos: latency must look like 20ms@0.1, got "${value}"`);
        const [latencyMs, latencyRate] = [Number(m[1]), Number(m[2] ?? 1)];
        if (latencyMs > MAX_TIMER_MS)
          throw new Error(`chaos: latency must be at most ${MAX_TIMER_MS} ms, got "${m[1]}ms"`);
        if (!(latencyRate >= 0 && latencyRate <= 1))
          throw new Error(`chaos: latency rate must be a number from 0 to 1, got "${m[2]}"`);
        for (const c of scope) Object.assign(rules[c], { latencyMs, latencyRate });
        continue;
      }
      const key = KEYS[name];
      const rate = Number(value);
      if (!key || !(rate >= 0 && rate <= 1)) throw new Error(`chaos: bad clause "${pair}"`);
      for (const c of scope) rules[c][key] = rate as never;
    }
  };
  for (const segment of spec.split(';')) {
    const pairs = segment
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const scopePair = pairs.find((p) => p.startsWith('scope='));
    pending.push(...pairs.filter((p) => p !== scopePair));
    if (!scopePair) continue;
    const scope = scopePair.slice(6).split('|') as EndpointClass[];
    for (const c of scope) if (!CLASSES.includes(c)) throw new Error(`chaos: unknown scope "${c}"`);
    apply(pending, scope);
    pending = [];
  }
  apply(pending, CLASSES);
  return rules;
}

/** Seeded dice: the same seed and request order give the same faults. */
export class Chaos {
  private readonly random: () => number;
  constructor(
    private rules_: Record<EndpointClass, ChaosRule>,
    seed: number,
  ) {
    this.random = prng(seed ^ 0x5eed);
  }

  get rules(): Record<EndpointClass, ChaosRule> {
    return this.rules_;
  }

  /** Replace the rules while running (a test starts or ends an outage); the dice keep their seed. */
  configure(spec: string | undefined): void {
    this.rules_ = parseChaos(spec);
  }

  roll(endpointClass: EndpointClass, fault: keyof ChaosRule): boolean {
    const rate = this.rules[endpointClass][fault];
    return rate > 0 && this.random() < rate;
  }

  latency(endpointClass: EndpointClass): number {
    const rule = this.rules[endpointClass];
    return rule.latencyMs > 0 && this.random() < rule.latencyRate ? rule.latencyMs : 0;
  }

  get enabled(): boolean {
    return Object.values(this.rules).some((r) => Object.values(r).some((v) => v > 0));
  }
}

import { callName } from '../protocol/call-name.js';

/** A training request whose submission failed for good. */
export interface FailedStep {
  endpoint: string;
  seq_id: number;
  error: unknown;
}

/**
 * The requests of one training client refused one after another for the same reason (the same error
 * class and status), told as one warning when the incident ends. After a server restart every queued
 * step is refused (404, the session is gone): 60 pipelined steps were 120 warning lines saying the same
 * thing. Not a time window (as the queue-state warnings have): a count of the requests it took is what
 * the user needs, and every one of them is in the line. Each caller still gets its own error.
 */
export class Refusals {
  /** The lowest seq_id's step (whose error the line quotes), how many, and the highest seq_id. */
  private incident: { key: string; first: FailedStep; count: number; last: number } | undefined;

  constructor(private readonly warn: (message: string) => void) {}

  add(step: FailedStep): void {
    const key = keyOf(step.error);
    const incident = this.incident;
    if (incident && incident.key !== key) this.flush();
    if (!this.incident) {
      this.incident = { key, first: step, count: 1, last: step.seq_id };
      return;
    }
    const current = this.incident;
    current.count++;
    // Chunks sent side by side may be refused out of order: the line starts at the lowest seq_id.
    if (step.seq_id < current.first.seq_id) current.first = step;
    current.last = Math.max(current.last, step.seq_id);
  }

  /** Ends the incident: its one line. */
  flush(): void {
    const incident = this.incident;
    if (!incident) return;
    this.incident = undefined;
    const { first, count, last } = incident;
    const others = count - 1;
    const who =
      others === 0
        ? `${callName(first.endpoint)} (seq_id ${first.seq_id}) was`
        : `${callName(first.endpoint)} (seq_id ${first.seq_id}) and the ${others === 1 ? 'request' : `${others} requests`} ` +
          `after it (up to seq_id ${last}) were`;
    this.warn(`${who} not accepted: ${sentence(first.error)} Later requests go on with the next seq_id.`);
  }
}

/** Refusals of one incident: the same error class and HTTP status. */
function keyOf(error: unknown): string {
  if (!(error instanceof Error)) return 'other';
  const status = (error as { status?: unknown }).status;
  return `${error.constructor.name}/${typeof status === 'number' ? status : ''}`;
}

/** The error's message as one sentence: its own final period, or one added. */
export function sentence(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.endsWith('.') ? message : `${message}.`;
}

import type { Clock } from '../../ports/clock.js';
import type { QueueStateEvent } from '../../ports/futures.js';

/**
 * Wrap a queue-state observer so the same state is reported at most once per window (the Python SDK
 * warns at most every 60 s). A change of state is reported at once.
 */
export function debounceQueueState(
  observer: (event: QueueStateEvent) => void,
  clock: Clock,
  windowMs = 60_000,
): (event: QueueStateEvent) => void {
  let lastKey: string | undefined;
  let lastAt = Number.NEGATIVE_INFINITY;
  return (event) => {
    const key = `${event.queueState}|${event.reason ?? ''}`;
    const now = clock.now();
    if (key === lastKey && now - lastAt < windowMs) return;
    lastKey = key;
    lastAt = now;
    observer(event);
  };
}

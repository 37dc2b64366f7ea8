import { describe, expect, it } from '@jest/globals';
import { EventQueue } from '../../src/telemetry/event-queue.js';

/**
 * The telemetry queue keeps its events as columns and moves or grows them as it fills and drains. Here
 * thousands of pushes, evictions and takes in a seeded order are checked against a plain list of the
 * wire events expected (Elixir tinkex's shapes, key for key): a slot copied wrong when the columns move
 * to the front or double, a reference left behind, an eviction that shifts one column and not another,
 * would each send a wrong event.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ENDPOINTS = ['asample', 'retrieve_future', 'forward_backward'];
const T0 = Date.UTC(2026, 11, 6, 1, 2, 3, 4);

/** What each event must be on the wire, with the id left out (its own check). */
type Expected = { routine: boolean; json: string };
const head = (event: string, index: number, severity: string, at: number) => ({
  event,
  event_session_index: index,
  severity,
  timestamp: new Date(at).toISOString(),
});

/** A small seeded generator (mulberry32): the same sequence each run, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const withoutId = (event: Record<string, unknown>) => {
  const { event_id: id, ...rest } = event;
  expect(id).toMatch(UUID);
  return JSON.stringify(rest);
};

describe('the telemetry event queue', () => {
  it.each([1, 2, 3])(
    'sends what was queued, in order and field for field, through growth, moves and evictions (seed %i)',
    (seed) => {
      const random = seeded(seed);
      const queue = new EventQueue();
      const model: Expected[] = [];
      const ids = new Set<string>();
      let index = 0;
      let taken = 0;
      for (let step = 0; step < 6_000; step++) {
        const roll = random();
        const at = T0 + step * 1.5;
        const endpoint = ENDPOINTS[Math.floor(random() * ENDPOINTS.length)]!;
        // Bursts of pushes and of takes, so the queue both grows past its first capacity and drains.
        const filling = Math.floor(step / 700) % 2 === 0;
        if (roll < (filling ? 0.35 : 0.15)) {
          const url = `http://127.0.0.1:${step % 5}/api/v1/${endpoint}`;
          queue.pushStart(index, at, endpoint, 'POST', url);
          model.push({
            routine: true,
            json: JSON.stringify({
              ...head('GENERIC_EVENT', index, 'INFO', at),
              event_name: 'tinkex.http.request.start',
              event_data: { measurements: {}, metadata: { endpoint, method: 'POST', url } },
            }),
          });
          index++;
        } else if (roll < (filling ? 0.7 : 0.3)) {
          const status = 200 + (step % 7);
          const duration = step / 8;
          const retries = step % 3;
          queue.pushStop(index, at, endpoint, status, duration, retries);
          model.push({
            routine: true,
            json: JSON.stringify({
              ...head('GENERIC_EVENT', index, 'INFO', at),
              event_name: 'tinkex.http.request.stop',
              event_data: {
                measurements: { duration_ms: duration },
                metadata: { endpoint, status, result: 'ok', retry_count: retries },
              },
            }),
          });
          index++;
        } else if (roll < (filling ? 0.8 : 0.4)) {
          const severity = step % 2 ? 'ERROR' : 'WARNING';
          const fields = { event_name: 'tinkex.retry.attempt.retry', event_data: { attempt: step } };
          queue.pushRecord(index, at, { event: 'GENERIC_EVENT', severity, fields });
          model.push({
            routine: false,
            json: JSON.stringify({ ...head('GENERIC_EVENT', index, severity, at), ...fields }),
          });
          index++;
        } else if (roll < 0.85) {
          const oldest = model.findIndex((e) => e.routine);
          expect(queue.evictRoutine()).toBe(oldest >= 0);
          if (oldest >= 0) model.splice(oldest, 1);
        } else {
          // Small takes while filling: the head moves on as the tail reaches the end of the columns.
          const count = 1 + Math.floor(random() * (filling ? 8 : 120));
          const batch = queue.take(count) as unknown as Record<string, unknown>[];
          const expected = model.splice(0, count);
          expect(batch.map(withoutId)).toEqual(expected.map((e) => e.json));
          for (const event of batch) ids.add(event.event_id as string);
          taken += batch.length;
        }
        expect(queue.length).toBe(model.length);
      }
      const rest = queue.take(Number.MAX_SAFE_INTEGER) as unknown as Record<string, unknown>[];
      expect(rest.map(withoutId)).toEqual(model.map((e) => e.json));
      for (const event of rest) ids.add(event.event_id as string);
      expect(ids.size).toBe(taken + rest.length);
      expect(queue.length).toBe(0);
      expect(queue.take(100)).toEqual([]);
    },
  );

  it('a session end after only records is sent after them; eviction finds nothing routine to take', () => {
    const queue = new EventQueue();
    queue.pushRecord(0, T0, { event: 'SESSION_START', severity: 'INFO', fields: {} });
    queue.pushRecord(1, T0 + 1, {
      event: 'SESSION_END',
      severity: 'INFO',
      fields: { duration: '0:00:00.001000' },
    });
    expect(queue.evictRoutine()).toBe(false);
    const sent = queue.take(100) as unknown as Record<string, unknown>[];
    expect(sent.map(withoutId)).toEqual([
      JSON.stringify(head('SESSION_START', 0, 'INFO', T0)),
      JSON.stringify({ ...head('SESSION_END', 1, 'INFO', T0 + 1), duration: '0:00:00.001000' }),
    ]);
  });
});

import { describe, expect, it } from '@jest/globals';
import { CaptureLogger, FakeClock } from 'pristine-kernel';
import { closedTinkerKernel } from '../support/closed-tinker-kernel.js';
import { captureCalls } from '../../src/telemetry/capture.js';
import { TelemetryReporter } from '../../src/telemetry/reporter.js';

/** A promise that records the rejection handlers `catch` is given (it is still a Promise). */
class RecordingPromise<T> extends Promise<T> {
  static handlers: unknown[] = [];
  override catch<R = never>(onRejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    RecordingPromise.handlers.push(onRejected);
    return super.catch(onRejected);
  }
}

class Api {
  constructor(readonly reporter: TelemetryReporter) {}
  ok(value: number): Promise<number> {
    return RecordingPromise.resolve(value);
  }
  fails(error: Error): Promise<number> {
    return RecordingPromise.reject(error) as Promise<number>;
  }
}
captureCalls(Api.prototype, (self) => self.reporter);

const reporterFor = async (logger: CaptureLogger) =>
  new TelemetryReporter(await closedTinkerKernel(), 'session-1', '0.25.0', new FakeClock(), logger, {
    canSend: () => false,
  });

/**
 * A wrapped call returning a promise reports its failure through a handler made once per reporter: a
 * fan-out keeps 2,000 wrapped samples pending at once, and a closure (with its context) per call was
 * held by each of them (docs/performance-notes.md, round 32 notes).
 */
describe('the rejection handler of wrapped calls', () => {
  it('is one function for every call of a reporter, and another for another reporter', async () => {
    const first = new Api(await reporterFor(new CaptureLogger({ level: 'debug' })));
    const second = new Api(await reporterFor(new CaptureLogger({ level: 'debug' })));
    RecordingPromise.handlers = [];
    await Promise.all([first.ok(1), first.ok(2), second.ok(3)]);
    const [a, b, c] = RecordingPromise.handlers;
    expect(RecordingPromise.handlers).toHaveLength(3);
    expect(typeof a).toBe('function');
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    await first.reporter.close();
    await second.reporter.close();
  });

  it('still reports each failure once, with its own error, and rethrows it', async () => {
    const logger = new CaptureLogger({ level: 'debug' });
    const api = new Api(await reporterFor(logger));
    const one = new Error('first failure');
    const two = new Error('second failure');
    await expect(api.fails(one)).rejects.toBe(one);
    await expect(api.fails(two)).rejects.toBe(two);
    await expect(api.fails(one)).rejects.toBe(one); // reported already: not again
    const notSent = logger.records.filter((r) => r.message.includes('could not be reported'));
    expect(notSent).toHaveLength(2);
    await api.reporter.close();
  });
});

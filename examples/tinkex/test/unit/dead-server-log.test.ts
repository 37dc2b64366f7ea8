import { describe, expect, it } from '@jest/globals';
import { BackoffRetry, CaptureLogger, FakeClock, Ports } from 'pristine-kernel';
import {
  APIConnectionError,
  DEFAULT_SAMPLING_RETRY,
  SamplingClient,
  ServiceClient,
  ValidationError,
} from '../../src/index.js';
import { closedPort } from '../../../../test/support/closed-port.js';

describe('a dead server, as a Tinkex user at TINKER_LOG=info sees it', () => {
  it('says why it is waiting before the first backoff, then fails with a typed error', async () => {
    const port = await closedPort();
    const clock = new FakeClock();
    const start = clock.now();
    const logger = new CaptureLogger({ level: 'info' });
    const service = new ServiceClient({
      api_key: 'tml-dead-server-test',
      base_url: `http://127.0.0.1:${port}`,
      telemetry: false,
      max_retries: 2,
      env: {},
      configureKernel: (kernel) => {
        kernel.register(Ports.Clock, clock);
        kernel.register(Ports.Logger, logger);
      },
    });
    try {
      const call = service.createRestClient().listTrainingRuns();
      const outcome = call.then(
        () => 'resolved',
        (error: Error) => error,
      );
      // The refused connection is real I/O; once the retry's backoff is scheduled, no clock time has
      // passed, and the line must already be there: the user learns why before waiting at all.
      while (clock.pending === 0) await new Promise((resolve) => setImmediate(resolve));
      expect(clock.now()).toBe(start);
      // The first request of a client is the 0.25 handshake (`client/config`), retried like any call.
      expect(logger.at('info').map((r) => r.message)).toEqual([
        expect.stringMatching(
          /^retrying get_client_config in \d+\.\d s after .*ECONNREFUSED.* \(retry 1 of 2\)$/,
        ),
      ]);
      while ((await Promise.race([outcome, Promise.resolve('pending')])) === 'pending') {
        await clock.advanceToNext();
      }
      const error = (await outcome) as Error;
      expect(error.name).toBe('APIConnectionError');
      // The final error names the method and host:port (never the key).
      expect(error.message).toMatch(new RegExp(`^Connection error: \\w+ http://127\\.0\\.0\\.1:${port}\\b`));
      expect(error.message).not.toContain('tml-dead-server-test');
      expect(logger.at('info')).toHaveLength(2);
    } finally {
      await service.close();
    }
  });
});

describe('telemetry of a failure that never reached the server', () => {
  it('does not claim "Exception logged" when the report could not be sent', async () => {
    const port = await closedPort();
    const clock = new FakeClock();
    const logger = new CaptureLogger({ level: 'debug' });
    const service = new ServiceClient({
      api_key: 'tml-dead-server-test',
      base_url: `http://127.0.0.1:${port}`,
      max_retries: 0, // telemetry stays on (the default)
      env: {},
      configureKernel: (kernel) => {
        kernel.register(Ports.Clock, clock);
        kernel.register(Ports.Logger, logger);
      },
    });
    try {
      await expect(service.createRestClient().listTrainingRuns()).rejects.toThrow(APIConnectionError);
      expect(logger.records.filter((r) => r.message.startsWith('Exception logged'))).toEqual([]);
      expect(logger.at('debug').map((r) => r.message)).toContain(
        'the failure could not be reported to Tinker telemetry (not sent yet)',
      );
    } finally {
      await service.close();
    }
  });
});

describe('a base URL without a scheme', () => {
  it.each(['127.0.0.1:8000', 'localhost:8000', 'tinker.example.com/api', 'ftp://tinker.example.com'])(
    '%s fails at construction with a ValidationError naming base_url (nothing is sent)',
    (base_url) => {
      const make = () => new ServiceClient({ api_key: 'tml-x', base_url, telemetry: false, env: {} });
      expect(make).toThrow(ValidationError);
      expect(make).toThrow(/base_url/);
    },
  );

  it('from TINKER_BASE_URL too', () => {
    const make = () =>
      new ServiceClient({
        telemetry: false,
        env: { TINKER_API_KEY: 'tml-x', TINKER_BASE_URL: 'localhost:8000' },
      });
    expect(make).toThrow(/TINKER_BASE_URL/);
  });
});

describe('sample() after the server died', () => {
  it('with the defaults, ends with a typed error naming host:port within progress_timeout_ms + one backoff + one attempt', async () => {
    const port = await closedPort();
    const clock = new FakeClock();
    const start = clock.now();
    const logger = new CaptureLogger({ level: 'info' });
    const service = new ServiceClient({
      api_key: 'tml-dead-server-test',
      base_url: `http://127.0.0.1:${port}`,
      telemetry: false,
      env: {},
      configureKernel: (kernel) => {
        kernel.register(Ports.Clock, clock);
        kernel.register(Ports.Logger, logger);
        // No jitter: every backoff at its longest. The handshake's retries then outlast the first stall
        // notice (65.5 s > 60 s), which must still name their error.
        kernel.register(Ports.Retry, new BackoffRetry(clock, undefined, () => 0));
      },
    });
    // Tinkex's defaults: progress_timeout_ms 2 h, retry_delay_max_ms 10 s, max_retries 10.
    const { progress_timeout_ms, retry_delay_max_ms } = DEFAULT_SAMPLING_RETRY;
    const sampler = new SamplingClient(service, 'sampler-of-a-dead-server');
    try {
      const outcome = sampler.sample({ prompt: [1, 2, 3], sampling_params: { max_tokens: 2 } }).then(
        () => 'resolved' as const,
        (error: Error) => error,
      );
      // The refused connection is real I/O, which the fake clock does not wait for: driven at once, the
      // clock could pass the first stall notice before anything failed. The first retry line says it did.
      while (logger.at('info').length === 0) await new Promise((resolve) => setImmediate(resolve));
      while ((await Promise.race([outcome, Promise.resolve('pending')])) === 'pending') {
        if (clock.pending === 0) await new Promise((resolve) => setImmediate(resolve));
        else await clock.advanceToNext();
      }
      const error = (await outcome) as Error;
      expect(error).toBeInstanceOf(APIConnectionError);
      expect(error.message).toContain(`127.0.0.1:${port}`);
      // docs/configuration.md: progress_timeout_ms, then at most one backoff (retry_delay_max_ms) and
      // one attempt with its transport retries (Σ min(0.5 s·2^i, 10 s), i < max_retries = 65.5 s).
      const bound = progress_timeout_ms + retry_delay_max_ms + 65_500;
      expect(clock.now() - start).toBeLessThanOrEqual(bound);
      expect(clock.now() - start).toBeGreaterThanOrEqual(progress_timeout_ms);
      // The wait was never silent at info: the first retry line came before any time passed.
      expect(logger.at('info')[0].message).toMatch(/^retrying \w+ in .* after .*ECONNREFUSED/);
      // Nor at the default level (warn): a minute without progress is reported, then every 5 minutes.
      const stalls = logger.at('warn').filter((r) => r.message.startsWith('Sampling ('));
      expect(stalls[0].message).toBe(
        `Sampling (sampler-of-a-dead-server) has made no progress for 60 s: 1 request(s) in progress. ` +
          `Last error: Connection error: POST http://127.0.0.1:${port}/api/v1/client/config ECONNREFUSED. They keep retrying ` +
          `and fail in 7140 s unless one completes (retry_config.progress_timeout_ms); pass a signal or ` +
          `timeoutMs to stop sooner.`,
      );
      expect(stalls[1].message).toMatch(/no progress for 360 s: .* fail in 6840 s/);
      // 60 s, then every 300 s until the 7200 s timeout: 60, 360, …, 6960.
      expect(stalls).toHaveLength(24);
    } finally {
      await service.close();
    }
  });
});

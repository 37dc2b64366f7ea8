import { afterEach, expect, it } from '@jest/globals';
import { NotFoundError } from 'pristine-kernel';
import { describeError } from '../../src/cli/describe-error.js';
import { SessionGoneError } from '../../src/index.js';
import { Ports } from 'pristine-kernel';
import { callsTo, describeInModes, setupRestartable, textDatum, TEXT } from './harness.js';
import { InstantClock } from './instant-clock.js';

const GONE = /The server no longer knows this session \(it may have restarted\)/;

/**
 * Found by hand: after the server restarted (the emulator killed and started again on the same port), a
 * live client's calls failed for good with a bare `404 model … not found`. The session is gone; as the
 * Python SDK does, nothing re-creates it on its own, but the error says so and what to do.
 * Not in the JWT mode: a restarted emulator signs with a new key, so the old JWT is refused (401) before
 * the session is looked up; a deployment's restart keeps its signing key.
 */
describeInModes(
  ['v025', 'legacy'],
  'a session the server no longer knows (server restarted on the same port)',
  () => {
    let env: Awaited<ReturnType<typeof setupRestartable>>;
    afterEach(async () => env.close());

    it('training and sampling calls say so and name the way back; the CLI words it the same', async () => {
      env = await setupRestartable({}, { max_retries: 0 });
      const training = await env.service.createLoraTrainingClient({
        base_model: 'meta-llama/Llama-3.2-1B',
        rank: 8,
      });
      await training.forwardBackward([textDatum(TEXT)], 'cross_entropy');
      const sampler = await training.saveWeightsAndGetSamplingClient();
      await env.restart();

      const [train, sample, info, another] = await Promise.all([
        training.forwardBackward([textDatum(TEXT)], 'cross_entropy').catch((e: unknown) => e),
        sampler
          .sample({ prompt: [1, 2, 3], num_samples: 1, sampling_params: { max_tokens: 2 } })
          .catch((e: unknown) => e),
        training.getInfo().catch((e: unknown) => e),
        env.service
          .createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 8 })
          .catch((e: unknown) => e),
      ]);
      for (const error of [train, sample, info, another]) {
        // Round 32 (a web service sharing one client): a server must tell "rebuild the client" from an
        // ordinary 404 without reading the message, so the error is typed (and still a NotFoundError).
        expect(error).toBeInstanceOf(SessionGoneError);
        expect(error).toBeInstanceOf(NotFoundError);
        expect((error as Error).name).toBe('SessionGoneError');
        const e = error as NotFoundError;
        // The server's own words stay first, and the error keeps what it knew (status, request id).
        expect(e.message).toMatch(/^404 (model|sampler|session) \S+ not found\. /);
        expect(e.message).toMatch(GONE);
        expect(e.message).toMatch(/new ServiceClient/);
        expect(e.status).toBe(404);
        expect(e.retryable).toBe(false);
      }
      expect((train as Error).message).toMatch(/createTrainingClientFromState\(<your last checkpoint>\)/);
      expect((sample as Error).message).toMatch(/createSamplingClient/);

      const cli = describeError(train);
      expect(cli.message).toBe('Session not found (HTTP 404)');
      expect(cli.details).toMatch(
        /^The server no longer knows this session \(it may have restarted\)\. Run the command again\.\nDetails: 404 model /,
      );
    }, 60_000);

    it('a step or save accepted before the restart, whose result is lost, says so too', async () => {
      // Found by hand (round 25): its poll failed with a bare `404 future req-N not found`. A poll on
      // the wire as the server goes away is retried (a connection error), not the point here.
      env = await setupRestartable({}, { max_retries: 2 });
      const training = await env.service.createLoraTrainingClient({
        base_model: 'meta-llama/Llama-3.2-1B',
        rank: 8,
      });
      env.emulator.setChaos('pause=1;scope=futures'); // accepted, and its polls answer "not yet"
      const step = training.forwardBackward([textDatum(TEXT)], 'cross_entropy');
      const save = training.saveState('lost');
      await Promise.all([step.accepted, save.accepted]);
      await env.restart();
      for (const error of await Promise.all(
        [step, save].map((f) =>
          f.then(
            () => 'ok',
            (e: unknown) => e,
          ),
        ),
      )) {
        expect(error).toBeInstanceOf(SessionGoneError);
        expect((error as Error).message).toMatch(/^404 future req-\d+ not found\. /);
        expect((error as Error).message).toMatch(GONE);
        expect((error as Error).message).toMatch(/from your last checkpoint/);
      }
    }, 60_000);

    it('heartbeats stop once the server says the session is gone, instead of every 10 s for ever', async () => {
      // Round 32: a web service left running after the server restarted beat (404) every 10 s for the
      // life of the process, with a warning every 2 minutes.
      const clock = new InstantClock();
      env = await setupRestartable(
        {},
        { max_retries: 0, configureKernel: (k) => k.register(Ports.Clock, clock) },
      );
      await env.service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
      const restarted = await env.restart();
      // A refused beat ends as a request error (404), not a stop.
      const refused = new Promise<void>((resolve) => {
        const off = env.service.kernel.events.on('request:error', (e) => {
          if (e.endpointId !== 'session_heartbeat') return;
          off();
          resolve();
        });
      });
      clock.tick();
      await refused;
      // The session is let go of (its beat's timer cancelled): later ticks send nothing.
      for (let i = 0; i < 3; i++) {
        clock.tick();
        await env.service.healthCheck(); // a round trip, sent after any beat the tick started
      }
      expect(callsTo({ emulator: restarted }, 'session_heartbeat')).toHaveLength(1);
      expect(env.service.activeSessions).toHaveLength(0);
    }, 60_000);

    it('a 404 for a checkpoint path is about the path, not the session: no such hint', async () => {
      env = await setupRestartable({}, { max_retries: 0 });
      const error = await env.service
        .createSamplingClient({ model_path: 'tinker://nope/sampler_weights/x' })
        .then((s) => s.sample({ prompt: [1, 2], num_samples: 1, sampling_params: { max_tokens: 2 } }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).not.toBeInstanceOf(SessionGoneError);
      expect((error as Error).message).not.toMatch(/session/);
      expect(describeError(error).message).toBe('Resource not found (HTTP 404)');
    }, 60_000);
  },
);

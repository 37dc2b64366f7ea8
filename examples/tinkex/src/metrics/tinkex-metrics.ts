import { KernelMetrics, type KernelEvents, type KernelMetricsOptions } from 'pristine-kernel';
import { callName } from '../protocol/call-name.js';

/** The training endpoints whose futures count as training calls (`TrainingClient` methods). */
const TRAINING = new Set([
  'forward',
  'forward_backward',
  'optim_step',
  'save_weights',
  'load_weights',
  'save_weights_for_sampler',
]);
const SAMPLING = new Set(['asample']);

/**
 * Tinkex's metrics (Elixir `Tinkex.Metrics`): the kernel's request, retry and future metrics
 * (`pristine.*`), plus training and sampling calls counted and timed from submission to result
 * (`tinkex.training.calls` / `tinkex.training.duration`, `tinkex.sampling.calls` /
 * `tinkex.sampling.duration`, by `endpoint` and `outcome`). A sample retried as a whole counts once per
 * attempt; streamed samples (`sampleStream`) appear only as `pristine.requests{endpoint=stream_sample}`.
 *
 * `new TinkexMetrics(service.kernel.events)` starts measuring that client; read `snapshot()` or register
 * an OpenTelemetry SDK (instruments on the `tinkex` meter unless given one). `close()` stops.
 */
export class TinkexMetrics extends KernelMetrics {
  readonly #off: () => void;

  constructor(events: KernelEvents, options: KernelMetricsOptions = {}) {
    // `??`, not a spread of defaults: an explicit `meterName: undefined` means the default too.
    super(events, { ...options, meterName: options.meterName ?? 'tinkex' });
    this.#off = events.on('future:settled', (e) => {
      const endpoint = callName(e.endpointId);
      const kind = TRAINING.has(endpoint) ? 'training' : SAMPLING.has(endpoint) ? 'sampling' : null;
      if (!kind) return;
      const attributes = { endpoint, outcome: e.outcome };
      this.increment(`tinkex.${kind}.calls`, attributes, 1, '{call}');
      this.record(`tinkex.${kind}.duration`, e.durationMs, attributes);
    });
  }

  override close(): void {
    this.#off();
    super.close();
  }
}

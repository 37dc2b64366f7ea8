import type { KernelEvents } from 'pristine-kernel';

/**
 * The regularizer pipeline's events, as the Elixir port's telemetry
 * (`[:tinkex, :custom_loss, …]`, `[:tinkex, :regularizer, :compute, …]`), on the kernel's event bus.
 * Durations are in milliseconds.
 */
export interface RegularizerEventMap {
  'x:tinkex:custom_loss:start': { regularizer_count: number; track_grad_norms: boolean };
  'x:tinkex:custom_loss:stop': {
    duration_ms: number;
    loss_total: number;
    regularizer_total: number;
    regularizer_count: number;
  };
  'x:tinkex:regularizer:compute:start': { regularizer_name: string; weight: number };
  'x:tinkex:regularizer:compute:stop': {
    regularizer_name: string;
    weight: number;
    duration_ms: number;
    value: number;
    contribution: number;
    grad_norm?: number;
  };
  'x:tinkex:regularizer:compute:exception': {
    regularizer_name: string;
    weight: number;
    duration_ms: number;
    reason: unknown;
  };
}

declare module 'pristine-kernel' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- augmentation: merges the events into the map
  interface KernelEventMap extends RegularizerEventMap {}
}

/** Where the pipeline reports: the kernel's events (e.g. `service.kernel.events`). */
export type RegularizerEvents = Pick<KernelEvents, 'emit' | 'observed'>;

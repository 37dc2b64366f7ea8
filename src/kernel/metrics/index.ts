export { KernelMetrics, type KernelMetricsOptions, type MetricsSnapshot } from './kernel-metrics.js';
export { LatencyHistogram, BUCKET_GROWTH, type HistogramSummary } from './latency-histogram.js';

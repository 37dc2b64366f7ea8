import { describe, expect, it } from '@jest/globals';
import { parseRetryAfter } from '../../../src/kernel/request/retry-after.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('parseRetryAfter', () => {
  it('reads retry-after-ms first', () => {
    expect(parseRetryAfter({ 'retry-after-ms': '250', 'retry-after': '9' }, NOW)).toBe(250);
  });

  it('reads fractional seconds', () => {
    expect(parseRetryAfter({ 'retry-after': '0.1' }, NOW)).toBe(100);
  });

  it('reads a future HTTP date as the time until it', () => {
    expect(parseRetryAfter({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, NOW)).toBe(5000);
  });

  it('treats a past HTTP date as zero', () => {
    expect(parseRetryAfter({ 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' }, NOW)).toBe(0);
  });

  it('ignores garbage and values above the cap', () => {
    expect(parseRetryAfter({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': '61' }, NOW)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after-ms': '-5' }, NOW)).toBeUndefined();
    expect(parseRetryAfter({}, NOW)).toBeUndefined();
  });

  it('falls back to Retry-After when retry-after-ms is garbage', () => {
    expect(parseRetryAfter({ 'retry-after-ms': 'x', 'retry-after': '2' }, NOW)).toBe(2000);
  });
});

import { describe, expect, it } from '@jest/globals';
import type { TinkerKernel } from '../../src/client/tinker-kernel.js';
import type { TelemetryReporter } from '../../src/telemetry/reporter.js';

/** True only when A and B are the same type (`any` is equal to nothing else). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/**
 * The reporter sends through Tinker's `telemetry` endpoint with the manifest's types: its kernel is a
 * `TinkerKernel`, not `Kernel<any>` (which let any body through to fail at run time). Checked by
 * `npm run typecheck`: the constant below does not compile for any other parameter type.
 */
describe('TelemetryReporter’s kernel', () => {
  it('is typed as the Tinker kernel (checked by tsc)', () => {
    const typed: Equals<ConstructorParameters<typeof TelemetryReporter>[0], TinkerKernel> = true;
    expect(typed).toBe(true);
  });
});

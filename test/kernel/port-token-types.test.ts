import { describe, expect, it } from '@jest/globals';
import { FakeClock } from '../../src/adapters/clock/fake-clock.js';
import { MemoryTransport } from '../../src/adapters/transport/memory-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { Ports } from '../../src/ports/index.js';

// Each port token carries its adapter type (`PortToken<T>`): `kernel.register` takes only an adapter
// of that port and `kernel.resolve` returns it typed. `npm run typecheck` compiles this file; the
// `@ts-expect-error` lines compiled before (the tokens were plain symbols, the adapter type inferred
// from the adapter), and `resolve(...).now()` did not (it returned `unknown`).
describe('port tokens type register and resolve', () => {
  it('binds an adapter of the port, and resolves it as the port type', async () => {
    const kernel = createKernel();
    const clock = new FakeClock();
    kernel.register(Ports.Clock, clock);
    kernel.register(Ports.Transport, () => new MemoryTransport(() => ({ status: 204 })));
    expect(kernel.resolve(Ports.Clock).now()).toBe(clock.now());
    const narrower: FakeClock = kernel.resolve<FakeClock>(Ports.Clock);
    expect(narrower).toBe(clock);
    // @ts-expect-error a clock is no transport
    expect(() => kernel.register(Ports.Transport, clock)).not.toThrow(); // not checked at run time
    // @ts-expect-error nor is a factory of one
    kernel.register(Ports.Transport, () => new FakeClock());
    // @ts-expect-error the clock port's adapter is no transport
    const transport: MemoryTransport = kernel.resolve(Ports.Clock);
    expect(transport).toBe(clock);
    await kernel.close().catch(() => {});
  });
});

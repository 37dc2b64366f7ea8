import { FifoSemaphore } from 'pristine-kernel';

/** One gate per kernel (so per ServiceClient), shared by all of its SamplingClients. */
const gates = new WeakMap<object, FifoSemaphore>();

/**
 * Where `sample()` calls wait for one of the `sample_dispatch_concurrency` submission slots (the Python
 * SDK's dispatch semaphore, 400 by default), held from before the `asample` request until the server
 * accepted it.
 *
 * The kernel's semaphore stage enforces the same limit, but a call queued there has already built its
 * future, its call context, a pipeline frame per stage and a result deadline timer: about 10 KB live
 * per queued sample, 16 MB for a burst of 2,000. Queued here, a sample holds one waiter entry. The
 * kernel's stage stays the limit for every other path (and for a fleet's shared semaphore): admitted
 * samples never wait on it, since both have the same size. In-process on purpose: a process can never
 * hold more fleet permits than its own slots.
 */
export function sampleDispatchGate(kernel: object, capacity: number): FifoSemaphore {
  let gate = gates.get(kernel);
  if (!gate) {
    gate = new FifoSemaphore(capacity);
    gates.set(kernel, gate);
  }
  return gate;
}

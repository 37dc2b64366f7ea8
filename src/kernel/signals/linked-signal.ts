import { onAbort } from './on-abort.js';

/** A signal aborted when either of two does, and the way to let go of both. */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Unsubscribe from both sources (idempotent): call it when the work the signal guards settles. */
  unlink(): void;
}

const NOTHING_TO_UNLINK = (): void => {};

/**
 * `AbortSignal.any([a, b])` (aborted with the reason of whichever aborts first) that lets go of its
 * sources. On Node 20, `AbortSignal.any` leaves a WeakRef in each source's set of dependants until that
 * source aborts, so with a long-lived source (a sampler's stuck watch, the kernel's closing signal, a
 * caller's job-wide signal) every call grew the heap for the client's life: 500,000 calls kept 25 MiB
 * (none on Node 24). This subscribes through `onAbort` (one listener per source signal, however many
 * calls share it) and `unlink` removes the subscriptions.
 */
export function linkedSignal(a: AbortSignal, b: AbortSignal): LinkedSignal {
  const controller = new AbortController();
  if (a.aborted || b.aborted) {
    controller.abort(a.aborted ? a.reason : b.reason);
    return { signal: controller.signal, unlink: NOTHING_TO_UNLINK };
  }
  const unlink = (): void => {
    offA();
    offB();
  };
  const offA = onAbort(a, () => {
    unlink();
    controller.abort(a.reason);
  });
  const offB = onAbort(b, () => {
    unlink();
    controller.abort(b.reason);
  });
  return { signal: controller.signal, unlink };
}

/**
 * `linkedSignal` over any number of signals (`undefined` and repeats skipped): undefined when none is
 * left, that one signal itself when one is (nothing to let go of), else a signal aborted when any of
 * them is, with `unlink` letting go of them all. For defaults that join each call's own signal (a
 * client-wide job signal, a view's several), linked per call and let go when the call settles.
 */
export function linkedSignals(
  signals: readonly (AbortSignal | undefined)[],
): { readonly signal: AbortSignal; unlink?: () => void } | undefined {
  const all = [...new Set(signals.filter((signal) => signal !== undefined))];
  if (all.length <= 1) return all.length === 1 ? { signal: all[0] } : undefined;
  const links = [linkedSignal(all[0], all[1])];
  for (let i = 2; i < all.length; i++) links.push(linkedSignal(links[i - 2].signal, all[i]));
  return {
    signal: links[links.length - 1].signal,
    unlink: () => {
      for (const link of links) link.unlink();
    },
  };
}

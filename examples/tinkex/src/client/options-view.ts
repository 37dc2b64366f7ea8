import { linkedSignals, ValidationError } from 'pristine-kernel';
import { checkRequestOptions, type OptionDefaults, type RequestOptions } from './request-options.js';

/** Each view and what it is a view of (the client every one of its calls runs on) with its defaults. */
const views = new WeakMap<object, { base: object; defaults: OptionDefaults }>();

/**
 * `client.withOptions(defaults)`: the same client under another name, whose calls take `defaults`. A
 * Proxy with no traps: every read and write goes to the client itself (its session, kernel, seq_id
 * order, counters), only the identity differs, and that identity is what `defaultsOf` looks up when a
 * method runs with `this` the view. A view of a view is a view of the client with both defaults (both
 * signals; the newer `timeoutMs`). Defaults are checked here, before any call uses them.
 */
export function optionsView<T extends object>(client: T, defaults: RequestOptions): T {
  if (defaults === undefined)
    throw ValidationError.field(
      'withOptions',
      '',
      'required',
      'pass the default options: { signal, timeoutMs }',
    );
  const { signal, timeoutMs } = checkRequestOptions(defaults, 'withOptions');
  const before = views.get(client)?.defaults;
  const signals = before?.signals ?? [];
  return viewOf(baseOf(client), {
    signals: signal && !signals.includes(signal) ? [...signals, signal] : signals,
    timeoutMs: timeoutMs ?? before?.timeoutMs,
  });
}

function viewOf<T extends object>(base: T, defaults: OptionDefaults): T {
  const view = new Proxy(base, {});
  views.set(view, { base, defaults });
  return view;
}

/** The defaults of the view `client` is (undefined for a client itself). */
export function defaultsOf(client: object): OptionDefaults | undefined {
  return views.get(client)?.defaults;
}

/** The client a view is of (`client` itself when it is no view): what the clients it creates hold. */
export function baseOf<T extends object>(client: T): T {
  return (views.get(client)?.base as T | undefined) ?? client;
}

/**
 * `child`, created by `parent`, as the caller gets it: under `parent`'s defaults when `parent` is a view
 * (as openai-node's `withOptions` copies its options into the client it makes), else `child` itself.
 */
export function inheritOptions<T extends object>(parent: object, child: T): T {
  const defaults = defaultsOf(parent);
  return defaults ? viewOf(baseOf(child), defaults) : child;
}

/**
 * A call whose options are not quite RequestOptions (`getTokenizer`'s HubOptions, whose `timeoutMs`
 * bounds each Hub request) under `client`'s defaults, as if the caller had given them: their signals
 * join its `signal`, their `timeoutMs` applies unless it gives one. The joined signal lets go of them
 * when `run` settles.
 */
export async function underDefaults<T extends RequestOptions, R>(
  client: object,
  options: T,
  run: (options: T) => Promise<R>,
): Promise<R> {
  const defaults = defaultsOf(client);
  if (!defaults) return run(options);
  const linked = linkedSignals([...defaults.signals, options.signal]);
  try {
    return await run({
      ...options,
      signal: linked?.signal,
      timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
    });
  } finally {
    linked?.unlink?.();
  }
}

import { inspect, type InspectOptions } from 'node:util';

/**
 * Make `target` print (util.inspect, console.log, JSON.stringify) as what `view()` returns at print
 * time, for objects a caller may print while debugging that hold a secret (the kernel's settings, a
 * plugin). The two members are not enumerable, so the target still spreads, compares and is read as
 * the plain object it is; only its printed form is masked.
 */
export function printsAs<T extends object>(target: T, view: () => object): T {
  return Object.defineProperties(target, {
    toJSON: { value: view },
    [inspect.custom]: { value: (_depth: number, options: InspectOptions) => inspect(view(), options) },
  });
}

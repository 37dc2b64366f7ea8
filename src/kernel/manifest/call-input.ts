// What the kernel's typed entry points take as an endpoint's input. The schema's own type (`Static`)
// says `after?: string`, which under `exactOptionalPropertyTypes` refuses `{ after: undefined }`; the
// kernel reads an `undefined` member as absent everywhere (the validator skips it, JSON drops it, query,
// header and multipart fields leave it out), so a wrapper that passes its own optional parameter on
// (`list(after?: string)` → `{ after }`) must compile. Nested objects get the same, as their members are
// sent the same way; required members, array elements and map values (`Record`) do not.

/** Whether `K` is an optional, named member of `T` (an index signature's key is not). */
export type IsOptionalMember<T, K extends keyof T> = string extends K
  ? false
  : number extends K
    ? false
    : symbol extends K
      ? false
      : object extends Pick<T, K>
        ? true
        : false;

/** Values the kernel hands on as they are: nothing of theirs is a member it could leave out. */
export type OpaqueInputValue = ((...args: never[]) => unknown) | ArrayBufferView | ArrayBuffer | Date;

/**
 * `T` with `undefined` also accepted by each optional member, at every depth of nested objects and
 * array elements' objects: what `call`, `execute`, `submit`, `stream` and `paginate` take as an input
 * (`InputOf`). Required members stay required and refuse `undefined`.
 */
export type CallInput<T> = 0 extends 1 & T
  ? T
  : T extends OpaqueInputValue
    ? T
    : T extends readonly unknown[]
      ? { [I in keyof T]: CallInput<T[I]> }
      : T extends object
        ? {
            [K in keyof T]: IsOptionalMember<T, K> extends true
              ? CallInput<T[K]> | undefined
              : CallInput<T[K]>;
          }
        : T;

/**
 * The names of every option of `T`, for `OptionChecks.only`. Written as an object with one `true` per
 * name, not as a list, so that the compiler refuses a set that misses an option of the type (the check
 * would then refuse a valid option) or names one the type lacks (it would let a misspelling through).
 */
export function optionNames<T extends object>(names: Record<keyof T, true>): ReadonlySet<string> {
  return new Set(Object.keys(names));
}

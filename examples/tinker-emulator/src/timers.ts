/** The longest delay Node's timers hold; a longer one (Infinity too) fires after 1 ms, with a warning. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

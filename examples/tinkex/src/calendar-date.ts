/**
 * Whether `text` starts with a YYYY-MM-DD that is a day of the calendar: `Date` parsing rolls 2026-02-30
 * over to March 2, which for a date filter (a delete's --before, a billing window) would silently move it.
 */
export function startsWithCalendarDate(text: string): boolean {
  const ymd = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!ymd) return false;
  const [year, month, day] = [Number(ymd[1]), Number(ymd[2]), Number(ymd[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

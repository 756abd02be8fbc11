import { Cron } from 'croner';

/** croner's field names → the ones cron users know, with their ranges. */
const CRONER_FIELDS: Readonly<Record<string, readonly [string, string]>> = {
  second: ['second', '0-59'],
  minute: ['minute', '0-59'],
  hour: ['hour', '0-23'],
  day: ['day-of-month', '1-31'],
  month: ['month', '1-12 or JAN-DEC'],
  dayOfWeek: ['day-of-week', '0-7 or SUN-SAT'],
};

/**
 * Why `pattern` is not a cron pattern the scheduler can run (field and reason), or null when it is.
 * Five fields (minute hour day-of-month month day-of-week), six with seconds first, or a nickname
 * such as @hourly. A pattern that never fires (30 February) is refused too.
 */
export function cronProblem(pattern: string, timezone?: string): string | null {
  const fields = pattern.trim().split(/\s+/).filter(Boolean);
  if (!pattern.trim().startsWith('@') && ![5, 6, 7].includes(fields.length)) {
    return `${fields.length} field${fields.length === 1 ? '' : 's'}; write 5 (minute hour day-of-month month day-of-week, e.g. "0 * * * *") or 6 with seconds first`;
  }
  let job: Cron;
  try {
    job = new Cron(pattern, { paused: true, ...(timezone ? { timezone } : {}) });
  } catch (error) {
    const reason = (error as Error).message.replace(/^CronPattern: /, '');
    const value = /^Invalid value for (\w+): (.*)$/.exec(reason);
    const field = CRONER_FIELDS[value?.[1] ?? ''];
    if (value && field) return `the ${field[0]} field is ${value[2]}, outside ${field[1]}`;
    return reason.replace(/^Syntax error, /, '');
  }
  const next = job.nextRun();
  job.stop();
  return next === null ? 'it never fires (no date matches every field)' : null;
}

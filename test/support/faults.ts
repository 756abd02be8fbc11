/**
 * Fault injection for the test servers: the GitLab double, the GitHub double and the proxy in
 * front of a registry or a forge all pick the fault for a request here, with the same rules.
 *
 *   const faults = new FaultRules<MyRule>();          // MyRule extends FaultMatch with what to answer
 *   const counter = faults.add({ method: 'POST', path: /\/merge_requests$/, nth: 2, status: 500 });
 *   const rule = faults.pick(method, path, pathAndQuery);   // the rule to apply, or undefined
 *   counter.seen, counter.fired                        // requests this rule matched / answered
 *
 * A rule matches a request when its `method` is absent or equal (case-insensitive) and its
 * `path` equals the path (a string; never the query) or is found in the text the server gives
 * for patterns (a RegExp; the GitLab double gives the path after /api/v4, the others path and
 * query). Every rule counts every request it matches, from when it was added; it fires on the
 * `nth` (default 1) and the `times - 1` matches after it. Several rules may fire for one
 * request; the first added wins. `times` defaults to 1, or, when the `FaultRules` was made with
 * `{ everyMatchWithoutNth: true }` (the proxy), to every match for a rule without `nth`.
 */
export interface FaultMatch {
  readonly method?: string;
  readonly path: string | RegExp;
  /** Which matching request (1-based, counted from when the rule was added) fails first. */
  readonly nth?: number;
  /** How many consecutive matching requests fail from the nth on. */
  readonly times?: number;
}

export interface FaultCounter<R extends FaultMatch> {
  readonly rule: R;
  /** Matching requests seen so far. */
  seen: number;
  /** Requests this rule answered. */
  fired: number;
}

export class FaultRules<R extends FaultMatch> {
  private active: Array<FaultCounter<R>> = [];

  constructor(private readonly options: { everyMatchWithoutNth?: boolean } = {}) {}

  add(rule: R): FaultCounter<R> {
    const counter: FaultCounter<R> = { rule, seen: 0, fired: 0 };
    this.active.push(counter);
    return counter;
  }

  clear(): void {
    this.active = [];
  }

  /** Counts the request against every rule it matches and returns the first of them that fires, if any. */
  pick(method: string, path: string, patternText: string = path): R | undefined {
    let chosen: FaultCounter<R> | undefined;
    for (const counter of this.active) {
      const { rule } = counter;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (typeof rule.path === 'string' ? rule.path !== path : !rule.path.test(patternText)) continue;
      counter.seen += 1;
      if (chosen === undefined && this.fires(counter)) chosen = counter;
    }
    if (chosen === undefined) return undefined;
    chosen.fired += 1;
    return chosen.rule;
  }

  private fires({ rule, seen }: FaultCounter<R>): boolean {
    const first = rule.nth ?? 1;
    const times = rule.times ?? (this.options.everyMatchWithoutNth === true && rule.nth === undefined ? Number.POSITIVE_INFINITY : 1);
    return seen >= first && seen < first + times;
  }
}

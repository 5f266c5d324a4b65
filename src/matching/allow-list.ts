/**
 * Allow-list (negative) banks: an allow-list bank never produces a match of its own; when
 * content matches one of its entries, the matches of in-scope banks (every bank, or banks with
 * one of the scope's labels) for that content are suppressed, each naming the entry that
 * suppressed it. Pure; applied to one content's matches (all its signals) at a time.
 */

export interface PolicyBank {
  readonly name: string;
  readonly labels: readonly string[];
  readonly allowList: { readonly scope: readonly string[] | null } | null;
}

export interface PolicyMatch {
  readonly bank: PolicyBank;
  readonly distance: number;
}

export interface Suppression<M> {
  readonly match: M;
  /** The allow-list entry (the closest in-scope one) that suppressed it. */
  readonly by: M;
}

export interface AllowListOutcome<M> {
  /** The matches to report and act on. */
  readonly kept: M[];
  readonly suppressed: Suppression<M>[];
}

const inScope = (allow: PolicyBank, bank: PolicyBank): boolean => {
  const scope = allow.allowList?.scope ?? null;
  return scope === null || bank.labels.some((l) => scope.includes(l));
};

export function applyAllowLists<M extends PolicyMatch>(matches: readonly M[]): AllowListOutcome<M> {
  const allows = matches.filter((m) => m.bank.allowList !== null).sort((a, b) => a.distance - b.distance);
  if (allows.length === 0) return { kept: [...matches], suppressed: [] };
  const kept: M[] = [];
  const suppressed: Suppression<M>[] = [];
  for (const m of matches) {
    if (m.bank.allowList !== null) continue;
    const by = allows.find((a) => inScope(a.bank, m.bank));
    if (by) suppressed.push({ match: m, by });
    else kept.push(m);
  }
  return { kept, suppressed };
}

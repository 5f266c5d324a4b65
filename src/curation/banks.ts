/** Bank use cases: validation, one transaction each, HMA's messages. */
import { HmaError, invalidInput, notFound } from '../errors/errors.js';
import { checkBankName } from './bank-name.js';
import * as store from './bank-store.js';
import type { Bank, BankMetadata } from './bank-store.js';
import { parseLabels } from './content-fields.js';
import { withReadTx, withWriteTx, type Db } from './db.js';
import { parseMatchThresholds, type ThresholdLimits } from './thresholds.js';

export type { Bank } from './bank-store.js';

export function checkRatio(raw: unknown, field = 'enabled_ratio'): number {
  if (typeof raw !== 'number' || !Number.isFinite(raw)) throw invalidInput(`${field} must be a number`);
  if (raw < 0 || raw > 1) throw invalidInput(`${field} must be between 0.0 and 1.0`);
  return raw;
}

/** HMA's create: enabled_ratio wins, else `enabled` (true → 1, false → 0), else 1.0. */
function initialRatio(enabledRatio: unknown, enabled: unknown): number {
  if (enabledRatio !== undefined && enabledRatio !== null) return checkRatio(enabledRatio);
  if (typeof enabled === 'boolean') return enabled ? 1 : 0;
  return 1;
}

export interface CreateBankInput {
  readonly name: string;
  readonly enabled_ratio?: number | null;
  readonly enabled?: boolean | null;
  readonly labels?: readonly string[];
  /** Per signal type match threshold, e.g. {"pdq": 20}; needs the installed types' limits. */
  readonly match_thresholds?: Readonly<Record<string, unknown>> | null;
  readonly allow_list?: boolean | null;
  /** Labels of the banks an allow-list bank suppresses; [] = every bank (the default). */
  readonly allow_list_scope?: readonly string[] | null;
}

/** The allow-list scope from input: labels, or null (every bank) for an empty list. */
function scopeOf(raw: readonly string[] | null | undefined): readonly string[] | null | undefined {
  if (raw === undefined || raw === null) return undefined;
  const labels = parseLabels(raw, 'allow_list_scope');
  return labels.length === 0 ? null : labels;
}

function thresholdsOf(raw: unknown, limits: ThresholdLimits | undefined): Record<string, number> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!limits) throw new Error('match_thresholds given without the signal types\' threshold limits');
  return parseMatchThresholds(raw, limits);
}

export async function createBank(db: Db, input: CreateBankInput, limits?: ThresholdLimits): Promise<Bank> {
  const name = checkBankName(input.name);
  const ratio = initialRatio(input.enabled_ratio, input.enabled);
  const labels = parseLabels(input.labels, 'labels');
  const thresholds = thresholdsOf(input.match_thresholds, limits);
  const allowList = { on: input.allow_list === true, scope: scopeOf(input.allow_list_scope) ?? null };
  return withWriteTx(db, (tx) => store.insertBank(tx, { name, ratio, labels, thresholds, allowList }));
}

export const bankNotFound = (name: string) => notFound(`bank '${name}' not found`);

export async function getBank(db: Db, name: string): Promise<Bank> {
  const bank = await store.findBank(db, name);
  if (!bank) throw bankNotFound(name);
  return bank;
}

export const listBanks = (db: Db): Promise<Bank[]> => store.listBanks(db);

export interface UpdateBankInput {
  readonly name?: string | null;
  readonly enabled?: boolean | null;
  readonly enabled_ratio?: number | null;
  readonly labels?: readonly string[] | null;
  readonly match_thresholds?: Readonly<Record<string, unknown>> | null;
  readonly allow_list?: boolean | null;
  readonly allow_list_scope?: readonly string[] | null;
}

export async function updateBank(db: Db, name: string, input: UpdateBankInput, limits?: ThresholdLimits): Promise<Bank> {
  const newName = input.name === undefined || input.name === null ? undefined : checkBankName(input.name);
  // As HMA: `enabled` first, then an explicit enabled_ratio overrides it.
  let ratio: number | undefined;
  if (typeof input.enabled === 'boolean') ratio = input.enabled ? 1 : 0;
  if (input.enabled_ratio !== undefined && input.enabled_ratio !== null) ratio = checkRatio(input.enabled_ratio);
  const labels = input.labels === undefined || input.labels === null ? undefined : parseLabels(input.labels, 'labels');
  const thresholds = thresholdsOf(input.match_thresholds, limits);
  const allowList = { on: typeof input.allow_list === 'boolean' ? input.allow_list : undefined, scope: scopeOf(input.allow_list_scope) };
  return withWriteTx(db, async (tx) => {
    const bank = await store.findBank(tx, name, true);
    if (!bank) throw notFound('Bank not found');
    return store.updateBank(tx, bank.id, { name: newName, ratio, labels, thresholds, allowList });
  });
}

/** Idempotent as HMA (200 when missing), but refuses a bank an exchange owns. */
export async function deleteBank(db: Db, name: string): Promise<void> {
  await withWriteTx(db, async (tx) => {
    const bank = await store.findBank(tx, name, true);
    if (!bank) return;
    if (bank.exchange !== null) {
      throw new HmaError(
        'conflict',
        `bank '${name}' belongs to exchange '${bank.exchange}': delete the exchange instead (DELETE /c/exchange/${bank.exchange})`,
      );
    }
    await store.deleteBank(tx, bank.id);
  });
}

export async function getBankMetadata(db: Db, name: string, nowS: number): Promise<{ bank: Bank; meta: BankMetadata }> {
  return withReadTx(db, async (tx) => {
    const bank = await store.findBank(tx, name);
    if (!bank) throw bankNotFound(name);
    return { bank, meta: await store.bankMetadata(tx, bank.id, nowS) };
  });
}

/** HMA's naming rule for banks and exchanges (docs/reference/hma-api.md §2.1). */
import { invalidInput } from '../errors/errors.js';

declare const bankNameBrand: unique symbol;
export type BankName = string & { readonly [bankNameBrand]: true };

const RULE = /^[A-Z_][A-Z0-9_]*$/;
export const MAX_BANK_NAME = 255;

export function isBankName(name: string): name is BankName {
  return RULE.test(name) && name.length <= MAX_BANK_NAME;
}

/** Throws HMA's message for a name breaking the rule; longer than 255 is refused too (HMA: 500). */
export function checkBankName(name: string): BankName {
  if (name.length > MAX_BANK_NAME) throw invalidInput(`Bank names must be at most ${MAX_BANK_NAME} characters`);
  if (!RULE.test(name)) throw invalidInput('Bank names must be UPPER_WITH_UNDERSCORE');
  return name as BankName;
}

/** The actioner's rules file and input check; `hma actioner --rules FILE` is composed in src/processes/actioner.ts. */
import { readFile } from 'node:fs/promises';
import type { MatchResultValue } from '../../kafka/values.js';
import { malformedEvent } from '../deadletter/reasons.js';
import { parseRules, type Rule } from './rules.js';

export async function loadRules(file: string): Promise<Rule[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read rules file ${file}: ${(err as Error).message}`);
  }
  return parseRules(text, file);
}

export function validateResult(v: MatchResultValue): void {
  if (v.content_id === '') throw malformedEvent('match result without a content_id');
}

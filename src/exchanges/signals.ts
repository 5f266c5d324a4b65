/**
 * From an upstream record's candidate signals to a stored update. Values are stored
 * normalized (the reference indexed the raw string, so an upper-case MD5 never
 * matched: docs/reference/exchanges.md §6 #1). A record left with no installed, valid signal is a
 * delete, as HMA treats it.
 */
import { log } from '../observability/logger.js';
import type { JsonObject, RecordUpdate, SignalTypes } from './types.js';

const logger = log('exchanges');

export type Candidate = readonly [signalType: string, value: string];

/**
 * `position` names the record in a log line (a file's line number; the upstream id
 * otherwise): never the value, which for a file may be any line of any file.
 */
export function toUpdate(
  key: string,
  candidates: readonly Candidate[],
  metadata: JsonObject,
  types: SignalTypes,
  position: string = key,
): RecordUpdate {
  const signals: Record<string, string> = {};
  for (const [type, value] of candidates) {
    if (!types.has(type) || type in signals) continue;
    try {
      signals[type] = types.normalize(type, value);
    } catch {
      // The validator's message quotes the value: only the position and a fixed reason are logged.
      logger.warn({ position, signal_type: type, reason: `not a valid ${type} value` }, 'invalid fingerprint skipped');
    }
  }
  return Object.keys(signals).length > 0 ? { op: 'upsert', key, signals, metadata } : { op: 'delete', key };
}

/** Key of exchanges whose records are identified by (signal type, value). */
export const typedKey = (type: string, value: string): string => `${type}:${value}`;

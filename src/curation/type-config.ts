/** Signal type and content type settings (HMA's signal_type_override; content types always enabled unless overridden). */
import { invalidInput } from '../errors/errors.js';
import type { Db } from './db.js';
import { CONTENT_TYPES, type SignalTypeRegistry } from '../signals/registry.js';

export async function listSignalTypes(db: Db, types: SignalTypeRegistry): Promise<{ name: string; enabled_ratio: number }[]> {
  const { rows } = await db.query<{ name: string; enabled_ratio: number }>('SELECT name, enabled_ratio FROM signal_type_override');
  const ratios = new Map(rows.map((r) => [r.name, r.enabled_ratio]));
  return types.names.map((name) => ({ name, enabled_ratio: ratios.get(name) ?? 1.0 }));
}

/** PUT /c/signal_type/<name>: HMA's messages, with its 500s made 400s (Appendix B #3). */
export async function setSignalTypeRatio(db: Db, types: SignalTypeRegistry, name: string, body: unknown): Promise<void> {
  if (!types.get(name)) throw invalidInput(`No such signal type '${name}'`);
  const raw = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).enabled_ratio : undefined;
  if (raw === undefined || raw === null) throw invalidInput('enabled_ratio is required');
  const ratio = typeof raw === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : raw;
  if (typeof ratio !== 'number' || !Number.isFinite(ratio)) throw invalidInput(`Invalid float: '${String(raw)}'`);
  if (ratio < 0 || ratio > 1) throw invalidInput('enabled_ratio must be between 0.0 and 1.0');
  await db.query(
    `INSERT INTO signal_type_override (name, enabled_ratio) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET enabled_ratio = EXCLUDED.enabled_ratio`,
    [name, ratio],
  );
}

export async function listContentTypes(db: Db): Promise<{ name: string; enabled: boolean }[]> {
  const { rows } = await db.query<{ name: string; enabled: boolean }>('SELECT name, enabled FROM content_type_override');
  const enabled = new Map(rows.map((r) => [r.name, r.enabled]));
  return CONTENT_TYPES.map((name) => ({ name, enabled: enabled.get(name) ?? true }));
}

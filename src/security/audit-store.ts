/** Reading the audit log (written only by the triggers of the security migration). */
import { num, type Queryable } from '../curation/db.js';

export interface AuditEntry {
  readonly id: number;
  readonly at: Date;
  readonly actor: string;
  readonly action: 'insert' | 'update' | 'delete' | 'truncate';
  readonly entity: string;
  readonly key: Readonly<Record<string, unknown>>;
  readonly before: Readonly<Record<string, unknown>> | null;
  readonly after: Readonly<Record<string, unknown>> | null;
  /** 1, or the row count of a bulk statement recorded as one entry. */
  readonly rows: number;
}

export interface AuditQuery {
  readonly limit: number;
  /** Entries older than this id (the previous page's last). */
  readonly beforeId?: number;
  readonly entity?: string;
  readonly actor?: string;
  readonly since?: Date;
}

/** Newest first. */
export async function readAudit(q: Queryable, query: AuditQuery): Promise<AuditEntry[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    values.push(v);
    where.push(sql.replace('?', `$${values.length}`));
  };
  if (query.beforeId !== undefined) add('id < ?', query.beforeId);
  if (query.entity !== undefined) add('entity = ?', query.entity);
  if (query.actor !== undefined) add('actor = ?', query.actor);
  if (query.since !== undefined) add('at >= ?', query.since);
  values.push(query.limit);
  const { rows } = await q.query<Omit<AuditEntry, 'id' | 'key' | 'rows'> & { id: string; entity_key: Record<string, unknown>; row_count: string }>(
    `SELECT id, at, actor, action, entity, entity_key, before, after, row_count FROM audit_log
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${values.length}`,
    values,
  );
  return rows.map(({ entity_key, row_count, ...r }) => ({ ...r, id: num(r.id), key: entity_key, rows: num(row_count) }));
}

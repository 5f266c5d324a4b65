/**
 * Who is making the current curation change: set for the duration of a request (or a CLI
 * command) and read by `withWriteTx`, which hands it to Postgres as `hma.actor` so the
 * audit triggers record it in the same transaction as the change.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const actors = new AsyncLocalStorage<string>();

/** The actor of the current async context, if one was set. */
export const currentActor = (): string | undefined => actors.getStore();

/** Runs `fn` (and everything it starts) as `actor`. */
export const runAs = <T>(actor: string, fn: () => T): T => actors.run(actor, fn);

/** Where the relay sends changes. Resolves only once the broker has acknowledged every record. */
import type { ChangeRecord } from './events.js';

export interface ChangePublisher {
  /** Publishes in order (per key order is what matters); resolves after acks=all. */
  publish(records: readonly ChangeRecord[]): Promise<void>;
  close(): Promise<void>;
}

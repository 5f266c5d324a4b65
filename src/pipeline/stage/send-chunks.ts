/**
 * Splits messages into produce requests small enough for the broker. kafkajs puts a
 * request's messages for one partition into one record batch, and the broker refuses
 * a batch over message.max.bytes (1 MB by default), so requests are cut at a size well
 * under it; a message bigger than that goes alone (it was accepted once already).
 */
export const MAX_SEND_BYTES = 512 * 1024;

export interface SizedMessage {
  readonly key: string;
  readonly value: Buffer | null;
}

export function chunkBySize<M extends SizedMessage>(messages: readonly M[], maxBytes = MAX_SEND_BYTES): M[][] {
  const chunks: M[][] = [];
  let current: M[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = Buffer.byteLength(m.key) + (m.value?.length ?? 0) + 64;
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

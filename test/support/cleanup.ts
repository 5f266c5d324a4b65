/**
 * Removes what one test run left on the shared broker and registry: every topic and
 * subject under the run's TOPIC_PREFIX (consumer groups named with it are deleted
 * with their topics' offsets by Kafka's retention and are harmless).
 */
import type { Config } from '../../src/config/config.js';
import { createKafka, withAdmin } from '../../src/kafka/client.js';

export async function deleteTopicsWithPrefix(cfg: Config, prefix: string): Promise<string[]> {
  return withAdmin(createKafka(cfg, 'test-cleanup'), async (admin) => {
    const doomed = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (doomed.length > 0) await admin.deleteTopics({ topics: doomed, timeout: 30_000 });
    return doomed;
  });
}

export async function deleteSubjectsWithPrefix(cfg: Config, prefix: string): Promise<string[]> {
  const base = cfg.SCHEMA_REGISTRY_URL.replace(/\/+$/, '');
  const res = await fetch(`${base}/subjects`);
  if (!res.ok) throw new Error(`listing subjects answered ${res.status}`);
  const doomed = ((await res.json()) as string[]).filter((s) => s.startsWith(prefix));
  for (const subject of doomed) {
    const url = `${base}/subjects/${encodeURIComponent(subject)}`;
    await fetch(url, { method: 'DELETE' });
    await fetch(`${url}?permanent=true`, { method: 'DELETE' });
  }
  return doomed;
}

export async function removeRunArtifacts(cfg: Config): Promise<void> {
  // An empty prefix would mean "everything": never.
  if (!cfg.TOPIC_PREFIX.startsWith('test-')) return;
  await Promise.all([deleteTopicsWithPrefix(cfg, cfg.TOPIC_PREFIX), deleteSubjectsWithPrefix(cfg, cfg.TOPIC_PREFIX)]);
}

/**
 * `npm run bench:bank-policy`: what bank matching policy costs a lookup, in process (no HTTP),
 * the same index and queries three ways: no policy, a bank threshold (pdq 20: the search runs
 * at the default 31 and each match is compared with its bank's), and an allow-list bank
 * holding every 100th hash (its matches suppress the other bank's). Rounds alternate so that
 * machine noise hits all three alike.
 *
 *   BENCH_SIZE (default 500000 PDQ hashes), BENCH_QUERIES (default 5000, half of them hits)
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { loadConfig } from '../src/config/config.js';
import type { BankSettingsValue } from '../src/kafka/values.js';
import { LookupService } from '../src/matching/lookup-service.js';
import { newIndexFor, signalTypeRules } from '../src/processes/signal-types.js';
import { MatchReplica } from '../src/replica/replica.js';

const size = Number(process.env.BENCH_SIZE ?? 500_000);
const queryCount = Number(process.env.BENCH_QUERIES ?? 5000);
const rules = signalTypeRules(loadConfig({ ...process.env, SIGNAL_TYPES: 'pdq' }));

const bank = (id: number, name: string, more: Partial<BankSettingsValue> = {}): BankSettingsValue => ({
  bank_id: id, name, matching_enabled_ratio: 1, labels: [], change_seq: id, changed_at: 1, match_thresholds: {}, allow_list: false, allow_list_scope: null, ...more,
});

const setups = {
  'no policy': [bank(1, 'LIST')],
  'bank threshold pdq 20': [bank(1, 'LIST', { match_thresholds: { pdq: 20 } })],
  'allow-list bank (1 % of hashes)': [bank(1, 'LIST'), bank(2, 'ALLOW', { allow_list: true })],
};
const replicas = Object.fromEntries(Object.entries(setups).map(([name, banks]) => {
  const r = new MatchReplica(new Map([['pdq', newIndexFor('pdq')]]));
  for (const b of banks) r.applyBank(String(b.bank_id), b);
  return [name, r];
}));

const hashes: string[] = [];
const t0 = performance.now();
let id = 0;
for (let i = 0; i < size; i++) {
  const h = randomBytes(32).toString('hex');
  hashes.push(h);
  for (const [name, r] of Object.entries(replicas)) {
    const signal = (bankId: number) => ({ signal_type: 'pdq', content_id: ++id, bank_id: bankId, value: h, disable_until_ts: null, change_seq: id, changed_at: 1 });
    const s = signal(1);
    r.applySignal(`pdq:${s.content_id}`, s);
    if (name.startsWith('allow') && i % 100 === 0) {
      const a = signal(2);
      r.applySignal(`pdq:${a.content_id}`, a);
    }
  }
}
console.log(`bench:bank-policy on ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${size.toLocaleString('en')} PDQ hashes filled in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const queries = Array.from({ length: queryCount }, (_, i) => (i % 2 ? randomBytes(32).toString('hex') : hashes[(i * 7919) % size]!));
const services = Object.entries(replicas).map(([name, r]) => ({ name, service: new LookupService(r, rules), ms: 0 }));
const rounds = 7;
for (let round = 0; round < rounds; round++) {
  const order = round % 2 ? services : [...services].reverse();
  for (const s of order) {
    const started = performance.now();
    for (const q of queries) s.service.lookup('pdq', q, { coinflip: 0 });
    if (round > 0) s.ms += performance.now() - started; // round 0 warms up
  }
}
for (const s of services) {
  console.log(`  ${s.name}: ${((s.ms * 1000) / ((rounds - 1) * queries.length)).toFixed(1)} µs per lookup`);
}

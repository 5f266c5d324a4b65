/**
 * Traffic through every part of the stack, so every dashboard panel has something to
 * show: curation writes (an allow-list that suppresses a shared list's matches), exchanges (one that succeeds, one that fails), submissions
 * (matching, not matching, one whose media is missing: a dead letter), lookups (some
 * refused), a URL hashed by the API, and one undecodable change event on the signals
 * topic.
 */
import { randomBytes } from 'node:crypto';
import kafkajs from 'kafkajs';
import { topicName } from '../../../topology/topics.js';
import { ORIG_PDQ, type OpsStack } from './ops-stack.js';

export const BANKS = { abuse: 'OPS_ABUSE', shared: 'OPS_SHARED', allow: 'OPS_ALLOW', sample: 'OPS_SAMPLE', failing: 'OPS_NCMEC' } as const;

async function call(base: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function expectStatus(res: Promise<Response>, status: number, what: string): Promise<void> {
  const r = await res;
  if (r.status !== status) throw new Error(`${what}: HTTP ${r.status} ${await r.text()}`);
}

const randomPdq = () => randomBytes(32).toString('hex');

/** Banks, a signal near the test images, and the two exchanges; before the traffic starts. */
export async function seedCuration(ops: OpsStack): Promise<void> {
  const api = ops.processes.api.url;
  await expectStatus(call(api, 'POST', '/c/banks', { name: BANKS.abuse }), 201, 'create bank');
  await expectStatus(call(api, 'POST', `/c/bank/${BANKS.abuse}/signal`, { pdq: ORIG_PDQ }), 200, 'add signal');
  // A shared list that also holds it, and an allow-list over that list's label: the matching
  // submissions have their shared-list match suppressed (the allow-list panels show it).
  await expectStatus(call(api, 'POST', '/c/banks', { name: BANKS.shared, labels: ['shared'] }), 201, 'create shared bank');
  await expectStatus(call(api, 'POST', `/c/bank/${BANKS.shared}/signal`, { pdq: ORIG_PDQ }), 200, 'add shared signal');
  await expectStatus(call(api, 'POST', '/c/banks', { name: BANKS.allow, allow_list: true, allow_list_scope: ['shared'] }), 201, 'create allow-list bank');
  await expectStatus(call(api, 'POST', `/c/bank/${BANKS.allow}/signal`, { pdq: ORIG_PDQ }), 200, 'add allow-list signal');
  await expectStatus(call(api, 'POST', '/c/exchanges', { bank: BANKS.sample, api: 'sample' }), 201, 'create sample exchange');
  // No credentials are set for NCMEC: every fetch fails at once, without leaving the machine.
  await expectStatus(
    call(api, 'POST', '/c/exchanges', { bank: BANKS.failing, api: 'ncmec', api_json: { environment: 'https://exttest.cybertip.org/hashsharing' } }),
    201,
    'create failing exchange',
  );
}

/** An undecodable value on the signals topic: each replica rejects it and carries on. */
export async function produceBadChange(ops: OpsStack): Promise<void> {
  const producer = ops.runtime.kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic: topicName(ops.stack.config.TOPIC_PREFIX, 'signals'), messages: [{ key: 'pdq:999999999', value: Buffer.from('not avro') }] });
  } finally {
    await producer.disconnect();
  }
}

/** One round of everything; `round` varies what is submitted and written. */
export async function trafficRound(ops: OpsStack, round: number): Promise<void> {
  const api = ops.processes.api.url;
  const { matching, other, missing } = ops.images;
  const path = round % 7 === 6 ? missing : round % 2 === 0 ? matching[round % matching.length]! : other[round % other.length]!;
  await ops.submitter.submit({ media: { kind: 'url', url: ops.media.url(path) }, contentId: `ops-${round}`, metadata: { source: 'ops-test' } });

  const lookups: Array<[string, number]> = [
    [`/m/lookup?signal_type=pdq&signal=${ORIG_PDQ}`, 200],
    [`/m/lookup?signal_type=pdq&signal=${randomPdq()}`, 200],
    [`/m/raw_lookup?signal_type=pdq&signal=${ORIG_PDQ}`, 200],
    ['/m/lookup?signal_type=pdq&signal=not-a-hash', 400],
    ['/no/such/route', 404],
  ];
  for (const [p, status] of lookups) await expectStatus(call(api, 'GET', p), status, `GET ${p}`);
  if (round % 4 === 0) {
    await expectStatus(call(api, 'POST', `/c/bank/${BANKS.abuse}/signal`, { pdq: randomPdq() }), 200, 'add signal');
  }
  if (round % 5 === 0) {
    await expectStatus(call(api, 'GET', `/h/hash?url=${encodeURIComponent(ops.media.url(matching[0]!))}`), 200, 'hash a URL');
  }
}

/** Rounds every `everyMs` for `seconds`, with one bad change event early on. */
export async function driveTraffic(ops: OpsStack, seconds: number, everyMs = 500): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let round = 0;
  for (; Date.now() < end || round === 0; round++) {
    const started = Date.now();
    await trafficRound(ops, round);
    if (round === 2) await produceBadChange(ops);
    await new Promise((r) => setTimeout(r, Math.max(0, everyMs - (Date.now() - started))));
  }
  return round;
}

/**
 * The dashboards and alerts are honest: the real stack runs as separate `hma`
 * processes (api, hasher, matcher, fetcher, relay, flood, actioner), a real Prometheus scrapes
 * them with grafana/prometheus.yml's jobs (targets pointed at the test's ports, 1 s
 * scrape interval) and evaluates grafana/alerts.yml, traffic goes through every part,
 * and then every query of every dashboard panel must be valid and return series.
 *
 * Alert rules are conditions that return nothing while all is well, so each rule is
 * checked twice: Prometheus loads and evaluates it without error (rule health "ok"),
 * and each of its measures (the expression without its threshold, split at and/or/
 * unless; see alertMeasures) returns series. promtool checks the config and rules,
 * and `promtool test rules` proves each alert fires on the trouble it names.
 *
 * Also renders each dashboard to PNG (into docs/screenshots/operations/ with
 * UPDATE_SCREENSHOTS=1; OPS_TRAFFIC_SECONDS sets how long traffic runs).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../ui/support/browser.js';
import { dashboardHtml, screenshotHtml } from './support/charts.js';
import { jobOf, startOpsStack, until, type OpsStack, type ProcessName } from './support/ops-stack.js';
import { promtool, startPrometheus, type Prometheus, type QueryResult } from './support/prometheus.js';
import {
  PROMETHEUS_METRICS,
  alertTestsFile,
  alertsFile,
  everyQuery,
  exposedFamilies,
  grafanaDir,
  isExposed,
  loadAlertRules,
  loadDashboards,
  loadPrometheusConfig,
  metricNames,
  prometheusConfigFile,
  root,
  type PrometheusConfig,
} from './support/queries.js';
import { driveTraffic, seedCuration } from './support/traffic.js';

const screenshots = process.env.UPDATE_SCREENSHOTS === '1';
const trafficSeconds = Number(process.env.OPS_TRAFFIC_SECONDS ?? (screenshots ? 240 : 15));

let ops: OpsStack;
let prom: Prometheus;
let trafficStart = 0;

const names = (): ProcessName[] => Object.keys(ops.processes) as ProcessName[];

/** grafana/prometheus.yml with each job's target replaced by the test's process, scraped every second. */
function testConfig(): PrometheusConfig {
  const repo = loadPrometheusConfig();
  const portOfJob = new Map(Object.entries(jobOf).map(([name, job]) => [job, ops.processes[name as ProcessName].port]));
  return {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: (repo.rule_files ?? []).map((f) => path.resolve(grafanaDir, f)),
    scrape_configs: repo.scrape_configs.map((job) => {
      const port = portOfJob.get(job.job_name);
      if (port === undefined) throw new Error(`grafana/prometheus.yml scrapes ${job.job_name}, which this test does not run`);
      return { ...job, static_configs: [{ targets: [`127.0.0.1:${port}`] }] };
    }),
  };
}

beforeAll(async () => {
  ops = await startOpsStack('ops');
  await Promise.all(
    names().map((n) => until(async () => (await fetch(`${ops.processes[n].url}/status`)).status === 200, `${n} to be ready`, 180_000)),
  );
  prom = await startPrometheus(testConfig());
}, 300_000);

afterAll(async () => {
  await prom?.stop();
  await ops?.stop();
}, 60_000);

describe('every process', () => {
  it('answers /status/live (alive), /status (ready) and /metrics (with the default Node metrics)', async () => {
    for (const n of names()) {
      const { url } = ops.processes[n];
      const live = await fetch(`${url}/status/live`);
      expect([n, live.status, await live.text()]).toEqual([n, 200, 'I-AM-ALIVE']);
      expect([n, (await fetch(`${url}/status`)).status]).toEqual([n, 200]);
      const metrics = await fetch(`${url}/metrics`);
      expect(metrics.headers.get('content-type'), n).toMatch(/^text\/plain/);
      const text = await metrics.text();
      expect(text, n).toContain('hma_process_cpu_seconds_total');
      expect(text, n).toContain('hma_nodejs_eventloop_lag_p99_seconds');
    }
  });
});

describe('promtool', () => {
  it('accepts grafana/prometheus.yml and grafana/alerts.yml', async () => {
    const config = await promtool(['check', 'config', prometheusConfigFile]);
    expect(config.output).toContain('SUCCESS');
    expect(config.code).toBe(0);
    const rules = await promtool(['check', 'rules', alertsFile]);
    expect(rules.output).toContain(`SUCCESS: ${loadAlertRules().length} rules found`);
    expect(rules.code).toBe(0);
  });

  it('runs the alert test cases: each alert fires on its trouble and not on healthy series', async () => {
    const run = await promtool(['test', 'rules', path.relative(process.cwd(), alertTestsFile)]);
    expect(run.output).toContain('SUCCESS');
    expect(run.code).toBe(0);
  });
});

describe('with traffic through the stack', () => {
  let results: Array<{ where: string; promql: string; result: QueryResult }> = [];
  const evaluate = async () => {
    results = await Promise.all(everyQuery().map(async (q) => ({ ...q, result: await prom.query(q.promql) })));
    return results;
  };
  const failures = () =>
    results.filter((r) => !r.result.ok || r.result.series.length === 0).map((r) => `${r.where}: ${r.result.error ?? 'no series'}  [${r.promql}]`);

  beforeAll(async () => {
    await seedCuration(ops);
    trafficStart = Date.now() / 1000;
    await driveTraffic(ops, trafficSeconds);
    // The pipeline finishes what was submitted, the fetcher runs both exchanges, and a few more scrapes land.
    await until(async () => (await evaluate(), failures().length === 0), 'every dashboard and alert query to return series', 120_000).catch(() => undefined);
  }, 600_000);

  it('Prometheus scrapes every job of grafana/prometheus.yml, all up', async () => {
    const targets = await prom.targets();
    expect(targets.map((t) => t.labels.job).sort()).toEqual(loadPrometheusConfig().scrape_configs.map((j) => j.job_name).sort());
    for (const t of targets) expect([t.labels.job, t.health, t.lastError]).toEqual([t.labels.job, 'up', '']);
  });

  it('every query of every dashboard panel and every alert measure is valid and returns series', () => {
    expect(results.length).toBeGreaterThan(50);
    expect(failures()).toEqual([]);
  });

  it('the panels show what the traffic did', async () => {
    const value = async (q: string) => Number((await prom.query(q)).series[0]?.value?.[1] ?? NaN);
    expect(await value('sum(hma_pipeline_events_in_total{stage="matcher"})')).toBeGreaterThanOrEqual(trafficSeconds);
    expect(await value('sum(hma_pipeline_dead_letters_total{stage="hasher", reason="fetch_failed"})')).toBeGreaterThanOrEqual(1);
    expect(await value('sum(hma_lookup_bank_matches_total{bank="OPS_ABUSE"})')).toBeGreaterThan(0);
    expect(await value('sum(hma_matcher_suppressed_matches_total{allow_list_bank="OPS_ALLOW", bank="OPS_SHARED"})')).toBeGreaterThan(0);
    expect(await value('sum(hma_exchange_fetch_runs_total{exchange="OPS_SAMPLE", outcome="done"})')).toBeGreaterThanOrEqual(1);
    expect(await value('max(hma_exchange_last_fetch_succeeded{exchange="OPS_NCMEC"})')).toBe(0);
    expect(await value('max(hma_exchange_last_fetch_succeeded{exchange="OPS_SAMPLE"})')).toBe(1);
    expect(await value('sum(hma_replica_events_rejected_total)')).toBeGreaterThanOrEqual(2); // the API's replica and the matcher's
    expect(await value('min(hma_index_ready)')).toBe(1);
    expect(await value('sum(hma_http_requests_total{route="unmatched", status_class="4xx"})')).toBeGreaterThan(0);
  });

  it('every alert rule loads and evaluates without error', async () => {
    const expected = loadAlertRules().map((r) => r.alert).sort();
    await until(async () => {
      const rules = (await prom.rules()).flatMap((g) => g.rules);
      return rules.length === expected.length && rules.every((r) => r.health === 'ok');
    }, 'every rule to have been evaluated', 30_000).catch(() => undefined);
    const rules = (await prom.rules()).flatMap((g) => g.rules);
    expect(rules.map((r) => r.name).sort()).toEqual(expected);
    for (const r of rules) expect([r.name, r.type, r.health, r.lastError ?? '']).toEqual([r.name, 'alerting', 'ok', '']);
  });

  it('every metric the dashboards and alerts name is exported by a running process', async () => {
    const families = new Map<string, string>();
    for (const n of names()) {
      for (const [k, v] of exposedFamilies(await (await fetch(`${ops.processes[n].url}/metrics`)).text())) families.set(k, v);
    }
    const missing = everyQuery().flatMap(({ where, promql }) =>
      metricNames(promql).filter((m) => !PROMETHEUS_METRICS.has(m) && !isExposed(m, families)).map((m) => `${m} (${where})`),
    );
    expect(missing).toEqual([]);
  });

  it('renders every dashboard\'s panels to PNG', async () => {
    const out = screenshots ? path.join(root, 'docs/screenshots/operations') : await mkdtemp(path.join(os.tmpdir(), 'hma-ops-charts-'));
    const end = Date.now() / 1000;
    const start = trafficStart - 20;
    const range = { start, end, step: Math.max(1, Math.ceil((end - start) / 300)) };
    const browser = await launchBrowser();
    try {
      const { page } = await browser.page();
      for (const d of loadDashboards()) {
        const file = path.join(out, d.file.replace(/\.json$/, '.png'));
        await screenshotHtml(page, await dashboardHtml(d, prom, range), file);
        expect((await stat(file)).size, file).toBeGreaterThan(20_000);
      }
    } finally {
      await browser.close();
      if (!screenshots) await rm(out, { recursive: true, force: true });
    }
  });
});

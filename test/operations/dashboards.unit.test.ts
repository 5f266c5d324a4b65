/**
 * Static checks of grafana/: dashboards, scrape config and alert rules agree with the
 * code. Every metric a dashboard or alert names must be one the code registers (the
 * process modules are imported, which defines all of their metrics); the live check
 * against running processes is in prometheus.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { configDefault } from '../../src/config/config.js';
import { registry } from '../../src/observability/metrics.js';
import {
  PROMETHEUS_METRICS,
  alertMeasures,
  alertTestsFile,
  dataPanels,
  everyQuery,
  exposedFamilies,
  grafanaDir,
  isExposed,
  loadAlertRules,
  loadDashboards,
  loadPrometheusConfig,
  metricNames,
  toPromql,
} from './support/queries.js';

const provisionedDatasource = (parse(readFileSync(path.join(grafanaDir, 'provisioning/datasources/prometheus.yml'), 'utf8')) as {
  datasources: Array<{ uid: string; type: string }>;
}).datasources[0]!;

describe('dashboards', () => {
  const dashboards = loadDashboards();

  it('are the four the operators use, each with a unique uid', () => {
    expect(dashboards.map((d) => d.file)).toEqual(['api.json', 'exchanges.json', 'matching.json', 'pipeline.json']);
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(dashboards.length);
  });

  it('have panels with unique ids, on the 24-column grid, querying the provisioned data source', () => {
    for (const d of dashboards) {
      const ids = d.panels.flatMap((p) => [p.id, ...(p.panels ?? []).map((c) => c.id)]);
      expect(new Set(ids).size, d.title).toBe(ids.length);
      for (const p of dataPanels(d)) {
        const where = `${d.title} › ${p.title}`;
        expect(p.gridPos.x + p.gridPos.w, where).toBeLessThanOrEqual(24);
        expect(p.datasource, where).toEqual({ type: provisionedDatasource.type, uid: provisionedDatasource.uid });
        expect(p.targets?.length, where).toBeGreaterThan(0);
        const refIds = (p.targets ?? []).map((t) => t.refId);
        expect(new Set(refIds).size, where).toBe(refIds.length);
        for (const t of p.targets ?? []) {
          expect(t.expr.trim(), where).not.toBe('');
          expect(t.datasource?.uid ?? provisionedDatasource.uid, where).toBe(provisionedDatasource.uid);
        }
      }
    }
  });

  it('use no template variable Grafana does not define', () => {
    for (const d of dashboards) expect(d.templating?.list ?? [], d.title).toEqual([]);
    expect(() => toPromql('rate(x[$__rate_interval])')).not.toThrow();
    expect(() => toPromql('rate(x{job="$job"}[5m])')).toThrow(/unknown variable \$job/);
  });
});

describe('alert rules', () => {
  const rules = loadAlertRules();

  it('cover what the issue asks for: lag growing, dead letters, index not ready, exchanges failing or stale, relay backlog', () => {
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['ConsumerLagGrowing', 'DeadLetterRate', 'IndexNotReady', 'ExchangeFetchFailing', 'ExchangeFetchStale', 'RelayBacklog']),
    );
  });

  it('each have a severity, a summary, a duration, and measures compared with a threshold', () => {
    for (const r of rules) {
      expect(r.labels?.severity, r.alert).toMatch(/^(warning|critical)$/);
      expect(r.annotations?.summary, r.alert).toBeTruthy();
      expect(r.for, r.alert).toMatch(/^\d+[smh]$/);
      expect(alertMeasures(r).length, r.alert).toBeGreaterThan(0);
    }
  });

  it('each have a promtool test case that makes them fire', () => {
    const doc = parse(readFileSync(alertTestsFile, 'utf8')) as {
      tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
    };
    const firing = new Set(doc.tests.flatMap((t) => t.alert_rule_test.filter((a) => (a.exp_alerts ?? []).length > 0).map((a) => a.alertname)));
    for (const r of rules) expect(firing.has(r.alert), r.alert).toBe(true);
  });

  it('the measure of a condition is the expression without its threshold', () => {
    expect(alertMeasures({ alert: 'x', expr: 'a > 1 and sum by (g) (b{c="1 > 2"}) >= 0.5' })).toEqual(['a', 'sum by (g) (b{c="1 > 2"})']);
    expect(() => alertMeasures({ alert: 'x', expr: 'rate(a[5m])' })).toThrow(/comparison/);
  });
});

describe('scrape configuration', () => {
  const config = loadPrometheusConfig();

  it('scrapes every long-running process of docker-compose.yml on the port it serves /metrics on', () => {
    const jobs = Object.fromEntries(config.scrape_configs.map((j) => [j.job_name, j.static_configs.flatMap((s) => s.targets)]));
    expect(jobs).toEqual({
      'hma-api': [`api:${configDefault('API_PORT')}`],
      'hma-hasher': [`hasher:${configDefault('METRICS_PORT')}`],
      'hma-matcher': [`matcher:${configDefault('METRICS_PORT')}`],
      'hma-fetcher': [`fetcher:${configDefault('METRICS_PORT')}`],
      'hma-relay': [`relay:${configDefault('METRICS_PORT')}`],
      'hma-flood': [`flood:${configDefault('METRICS_PORT')}`],
    });
    expect(config.rule_files).toEqual(['alerts.yml']);
  });
});

describe('metric names', () => {
  let families: Map<string, string>;
  beforeAll(async () => {
    // Every process's composition, so every metric module is loaded.
    await Promise.all([
      import('../../src/processes/api.js'),
      import('../../src/processes/hasher.js'),
      import('../../src/processes/matcher.js'),
      import('../../src/processes/actioner.js'),
      import('../../src/processes/fetcher.js'),
      import('../../src/processes/relay.js'),
      import('../../src/processes/flood.js'),
    ]);
    families = exposedFamilies(await registry.metrics());
  });

  it('referenced by any dashboard or alert are all registered by the code', () => {
    const missing = everyQuery().flatMap(({ where, promql }) =>
      metricNames(promql)
        .filter((n) => !PROMETHEUS_METRICS.has(n) && !isExposed(n, families))
        .map((n) => `${n} (${where})`),
    );
    expect(missing).toEqual([]);
  });

  it('follow the conventions: hma_ prefix, counters end in _total, no unit-less time', () => {
    for (const [name, type] of families) {
      expect(name, name).toMatch(/^hma_[a-z0-9_]+$/);
      if (type === 'counter') expect(name, name).toMatch(/_total$/);
      expect(name, name).not.toMatch(/_(ms|milliseconds|minutes)(_|$)/);
    }
  });

  it('carry no high-cardinality labels (content ids, URLs, submission ids)', () => {
    const labels = registry.getMetricsAsArray().flatMap((m) => (m as unknown as { labelNames: string[] }).labelNames.map((l) => `${m.name}{${l}}`));
    expect(labels.length).toBeGreaterThan(20);
    const bad = labels.filter((l) => /\{(content_id|submission_id|url|path|trace_id|signal|value|hash|key)\}$/.test(l));
    expect(bad).toEqual([]);
  });

  it('a dashboard naming a metric nobody exports is caught', () => {
    expect(isExposed('hma_made_up_total', families)).toBe(false);
    expect(isExposed('hma_http_request_duration_seconds_bucket', families)).toBe(true);
    expect(metricNames('sum by (le) (rate(hma_nope_bucket{a="b"}[$__rate_interval]))'.replace('$__rate_interval', '1m'))).toEqual(['hma_nope_bucket']);
  });
});

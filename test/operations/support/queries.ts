/**
 * What the operations files say, read as data: every query of every dashboard panel,
 * every alert rule and the measures it compares, the scrape jobs, and the metric names
 * all of them reference. Shared by the static checks, the live Prometheus test and the
 * chart renderer.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const root = path.resolve(import.meta.dirname, '../../..');
export const grafanaDir = path.join(root, 'grafana');
export const dashboardsDir = path.join(grafanaDir, 'dashboards');
export const prometheusConfigFile = path.join(grafanaDir, 'prometheus.yml');
export const alertsFile = path.join(grafanaDir, 'alerts.yml');
export const alertTestsFile = path.join(root, 'test/operations/alerts.promtool.yml');

export interface Target {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
}

export interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly fieldConfig?: { readonly defaults?: { readonly unit?: string } };
  readonly targets?: readonly Target[];
  /** Rows hold their panels here when collapsed. */
  readonly panels?: readonly Panel[];
}

export interface Dashboard {
  readonly file: string;
  readonly uid: string;
  readonly title: string;
  readonly description?: string;
  readonly panels: readonly Panel[];
  readonly templating?: { readonly list: readonly unknown[] };
}

export function loadDashboards(): Dashboard[] {
  return readdirSync(dashboardsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, ...(JSON.parse(readFileSync(path.join(dashboardsDir, file), 'utf8')) as Omit<Dashboard, 'file'>) }));
}

/** The panels that show data (rows left out, a collapsed row's panels included), in layout order. */
export function dataPanels(d: Dashboard): Panel[] {
  const out: Panel[] = [];
  for (const p of d.panels) {
    if (p.type === 'row') out.push(...(p.panels ?? []));
    else out.push(p);
  }
  return out;
}

export interface PanelQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly refId: string;
  /** As written in the dashboard. */
  readonly expr: string;
  /** With Grafana's variables replaced, ready for Prometheus. */
  readonly promql: string;
}

/**
 * Grafana's built-in variables the dashboards use, with the values the checks give them.
 * `$__rate_interval` is at least four scrape intervals in Grafana; one minute holds
 * plenty of samples at the test's 1 s scrape interval and at the deployment's 10 s.
 */
export const grafanaVariables: Readonly<Record<string, string>> = { $__rate_interval: '1m' };

/** Replaces Grafana's variables; any other `$` left is a variable nobody defines. */
export function toPromql(expr: string, vars: Readonly<Record<string, string>> = grafanaVariables): string {
  let out = expr;
  for (const [name, value] of Object.entries(vars)) out = out.split(name).join(value);
  const left = /\$\{?\w+/.exec(out);
  if (left) throw new Error(`unknown variable ${left[0]} in: ${expr}`);
  return out;
}

export function panelQueries(dashboards: readonly Dashboard[] = loadDashboards()): PanelQuery[] {
  return dashboards.flatMap((d) =>
    dataPanels(d).flatMap((p) =>
      (p.targets ?? []).map((t) => ({ dashboard: d.title, panel: p.title, refId: t.refId, expr: t.expr, promql: toPromql(t.expr) })),
    ),
  );
}

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export function loadAlertRules(file = alertsFile): AlertRule[] {
  const doc = parse(readFileSync(file, 'utf8')) as { groups: Array<{ name: string; rules: AlertRule[] }> };
  return doc.groups.flatMap((g) => g.rules);
}

/** Splits at `and` / `or` / `unless` outside parentheses, brackets, braces and quotes. */
function splitTopLevel(expr: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0) {
      const m = /^\s(and|or|unless)\s/.exec(expr.slice(i));
      if (m) {
        parts.push(expr.slice(start, i).trim());
        i += m[0].length - 1;
        start = i + 1;
      }
    }
  }
  parts.push(expr.slice(start).trim());
  return parts;
}

const THRESHOLD = /\s*(==|!=|>=|<=|>|<)\s*(bool\s+)?-?[0-9.]+(e[+-]?\d+)?\s*$/i;

/**
 * The measures an alert compares: its expression split at top-level set operators, each
 * part without its trailing comparison with a number. A measure returns series whenever
 * its metrics exist, where the alert's whole expression returns nothing while all is well.
 */
export function alertMeasures(rule: AlertRule): string[] {
  return splitTopLevel(rule.expr.trim()).map((part) => {
    const m = THRESHOLD.exec(part);
    if (!m) throw new Error(`alert ${rule.alert}: "${part}" does not end with a comparison with a number`);
    return part.slice(0, m.index).trim();
  });
}

/** PromQL functions and keywords: words followed by "(" or used as modifiers, not metric names. */
const NOT_METRICS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/**
 * Metric names a PromQL expression selects: identifiers outside quotes, label matchers and
 * ranges that are neither functions (followed by "("), keywords, nor grouping labels.
 */
export function metricNames(promql: string): string[] {
  const names = new Set<string>();
  const stripped = promql
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  for (const m of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = m[0];
    const after = stripped.slice(m.index! + word.length).trimStart();
    if (after.startsWith('(') || NOT_METRICS.has(word.toLowerCase())) continue;
    if (/^\d/.test(word)) continue;
    names.add(word);
  }
  return [...names];
}

/** Metrics Prometheus itself makes up for every target: not ours to export. */
export const PROMETHEUS_METRICS = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

/** Metric families in a text exposition, by type (from the `# TYPE` lines). */
export function exposedFamilies(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out.set(m[1]!, m[2]!);
  return out;
}

const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

/** Whether `name` is a series some family exposes (a histogram's `_bucket`, `_sum`, `_count` included). */
export function isExposed(name: string, families: ReadonlyMap<string, string>): boolean {
  if (families.has(name)) return true;
  for (const [family, type] of families) {
    if ((SUFFIXES[type] ?? []).some((s) => name === family + s)) return true;
  }
  return false;
}

export interface ScrapeJob {
  readonly job_name: string;
  readonly static_configs: Array<{ targets: string[] }>;
}

export interface PrometheusConfig {
  global?: Record<string, unknown>;
  rule_files?: string[];
  scrape_configs: ScrapeJob[];
}

export function loadPrometheusConfig(): PrometheusConfig {
  return parse(readFileSync(prometheusConfigFile, 'utf8')) as PrometheusConfig;
}

/** Every dashboard query and every alert measure, with where it comes from. */
export function everyQuery(): Array<{ where: string; promql: string }> {
  return [
    ...panelQueries().map((q) => ({ where: `${q.dashboard} › ${q.panel} (${q.refId})`, promql: q.promql })),
    ...loadAlertRules().flatMap((r) => alertMeasures(r).map((m, i) => ({ where: `alert ${r.alert} measure ${i + 1}`, promql: m }))),
  ];
}

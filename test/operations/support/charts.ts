/**
 * Pictures of the dashboards without Grafana: each panel's queries run over a time range
 * against Prometheus and drawn as inline SVG (time series) or value tiles (stat), laid
 * out on the dashboard's own 24-column grid, then screenshotted by headless Chromium.
 */
import type { Page } from 'playwright-core';
import { dataPanels, toPromql, type Dashboard, type Panel } from './queries.js';
import type { Prometheus, Series } from './prometheus.js';

const PALETTE = ['#73BF69', '#F2CC0C', '#8AB8FF', '#FF780A', '#F2495C', '#5794F2', '#B877D9', '#FADE2A', '#37872D', '#C4162A', '#1F60C4', '#8F3BB8'];
const COLUMN = 1560 / 24;
const ROW = 30;

interface Line {
  readonly name: string;
  readonly points: Array<[number, number]>;
}

interface StatMapping {
  readonly text?: string;
  readonly color?: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Grafana's legend format: `{{label}}` replaced by the series' label value. */
export function legendName(format: string | undefined, metric: Record<string, string>): string {
  if (!format) return JSON.stringify(metric);
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, label: string) => metric[label] ?? '');
}

/** A value in the panel's unit, short. */
export function formatValue(v: number, unit: string | undefined): string {
  if (!Number.isFinite(v)) return String(v);
  const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(2) : x === 0 ? '0' : x.toPrecision(2));
  switch (unit) {
    case 's':
      if (v === 0) return '0 s';
      if (Math.abs(v) < 1e-3) return `${num(v * 1e6)} µs`;
      if (Math.abs(v) < 1) return `${num(v * 1e3)} ms`;
      if (Math.abs(v) < 120) return `${num(v)} s`;
      if (Math.abs(v) < 7200) return `${num(v / 60)} min`;
      if (Math.abs(v) < 172800) return `${num(v / 3600)} h`;
      return `${num(v / 86400)} d`;
    case 'percentunit':
      return `${num(v * 100)}%`;
    case 'bytes':
      return v >= 2 ** 30 ? `${num(v / 2 ** 30)} GiB` : v >= 2 ** 20 ? `${num(v / 2 ** 20)} MiB` : v >= 1024 ? `${num(v / 1024)} KiB` : `${num(v)} B`;
    case 'ops':
      return `${num(v)} ops/s`;
    case 'reqps':
      return `${num(v)} req/s`;
    default:
      return Math.abs(v) >= 1e6 ? `${num(v / 1e6)} M` : Math.abs(v) >= 1e4 ? `${num(v / 1e3)} K` : num(v);
  }
}

function niceStep(span: number): number {
  const raw = span / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
}

const clock = (t: number) => new Date(t * 1000).toISOString().slice(11, 19);

function timeseriesSvg(lines: readonly Line[], unit: string | undefined, width: number, height: number, range: { start: number; end: number }): string {
  const left = 72;
  const bottom = 20;
  const plotW = width - left - 10;
  const plotH = height - bottom - 8;
  const values = lines.flatMap((l) => l.points.map((p) => p[1]));
  let lo = Math.min(0, ...values);
  let hi = Math.max(...values, 0);
  if (hi === lo) hi = lo + 1;
  const step = niceStep(hi - lo);
  hi = Math.ceil(hi / step) * step;
  lo = Math.floor(lo / step) * step;
  const x = (t: number) => left + ((t - range.start) / (range.end - range.start)) * plotW;
  const y = (v: number) => 8 + plotH - ((v - lo) / (hi - lo)) * plotH;
  const parts: string[] = [];
  for (let v = lo; v <= hi + step / 2; v += step) {
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#2c3235"/>`);
    parts.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${esc(formatValue(v, unit))}</text>`);
  }
  const ticks = Math.max(2, Math.min(6, Math.floor(plotW / 90)));
  for (let i = 0; i <= ticks; i++) {
    const t = range.start + ((range.end - range.start) * i) / ticks;
    const anchor = i === 0 ? 'start' : i === ticks ? 'end' : 'middle';
    parts.push(`<text x="${x(t)}" y="${height - 4}" text-anchor="${anchor}">${clock(t)}</text>`);
  }
  lines.forEach((l, i) => {
    const color = PALETTE[i % PALETTE.length];
    // Gaps (NaN, missing samples) break the line as Grafana does with nulls.
    let d = '';
    let prev: number | undefined;
    for (const [t, v] of l.points) {
      d += `${prev !== undefined && t - prev <= (range.end - range.start) / 60 ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
      prev = t;
    }
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
  });
  return `<svg width="${width}" height="${height}" font-size="10" fill="#9fa7b3">${parts.join('')}</svg>`;
}

function statTiles(panel: Panel, series: ReadonlyArray<{ name: string; value: number }>): string {
  const mappings = ((panel.fieldConfig?.defaults as { mappings?: Array<{ options: Record<string, StatMapping> }> } | undefined)?.mappings ?? [])
    .flatMap((m) => Object.entries(m.options));
  const tiles = series.map(({ name, value }) => {
    const mapped = mappings.find(([k]) => Number(k) === value)?.[1];
    const color = mapped?.color === 'red' ? '#C4162A' : mapped?.color === 'green' ? '#37872D' : mapped?.color === 'orange' ? '#FF780A' : '#1F60C4';
    return `<div class="tile" style="background:${color}"><div class="tname">${esc(name)}</div><div class="tvalue">${esc(mapped?.text ?? formatValue(value, panel.fieldConfig?.defaults?.unit))}</div></div>`;
  });
  return `<div class="tiles">${tiles.join('') || '<div class="none">No data</div>'}</div>`;
}

/** Lines a wrapped legend takes (about 6 px per character, plus the colour mark and gap). */
function legendLines(names: readonly string[], width: number): number {
  let lines = names.length > 0 ? 1 : 0;
  let used = 0;
  for (const n of names) {
    const w = n.length * 6 + 26;
    if (used > 0 && used + w > width) {
      lines++;
      used = 0;
    }
    used += w;
  }
  return lines;
}

async function panelHtml(panel: Panel, prom: Prometheus, range: { start: number; end: number; step: number }): Promise<string> {
  const w = panel.gridPos.w * COLUMN - 8;
  const h = panel.gridPos.h * ROW - 8;
  const style = `left:${panel.gridPos.x * COLUMN}px;top:${panel.gridPos.y * ROW}px;width:${w}px;height:${h}px`;
  if (panel.type === 'row') return `<div class="row" style="${style}">${esc(panel.title)}</div>`;
  const unit = panel.fieldConfig?.defaults?.unit;
  const named: Array<{ name: string; series: Series }> = [];
  for (const t of panel.targets ?? []) {
    const res = panel.type === 'stat' ? await prom.query(toPromql(t.expr)) : await prom.queryRange(toPromql(t.expr), range.start, range.end, range.step);
    if (!res.ok) throw new Error(`${panel.title}: ${res.error}`);
    for (const s of res.series) named.push({ name: legendName(t.legendFormat, s.metric), series: s });
  }
  let body: string;
  if (panel.type === 'stat') {
    body = statTiles(panel, named.map(({ name, series }) => ({ name, value: Number(series.value?.[1]) })));
  } else {
    const lines: Line[] = named
      .map(({ name, series }) => ({ name, points: (series.values ?? []).map(([t, v]) => [t, Number(v)] as [number, number]).filter(([, v]) => Number.isFinite(v)) }))
      .filter((l) => l.points.length > 0)
      .sort((a, b) => a.name.localeCompare(b.name));
    const legendRows = Math.min(3, legendLines(lines.map((l) => l.name), w - 16));
    const legend = lines
      .map((l, i) => `<span><i style="background:${PALETTE[i % PALETTE.length]}"></i>${esc(l.name)}</span>`)
      .join('');
    body = lines.length === 0
      ? '<div class="none">No data</div>'
      : `${timeseriesSvg(lines, unit, w - 16, h - 34 - legendRows * 15, range)}<div class="legend" style="max-height:${legendRows * 15}px">${legend}</div>`;
  }
  return `<div class="panel" style="${style}"><div class="title">${esc(panel.title)}</div>${body}</div>`;
}

export async function dashboardHtml(d: Dashboard, prom: Prometheus, range: { start: number; end: number; step: number }): Promise<string> {
  const panels = [...d.panels.filter((p) => p.type === 'row'), ...dataPanels(d)];
  const html = await Promise.all(panels.map((p) => panelHtml(p, prom, range)));
  const height = Math.max(...panels.map((p) => (p.gridPos.y + p.gridPos.h) * ROW)) + 10;
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;background:#111217;color:#ccccdc;font:12px Inter,Helvetica,Arial,sans-serif}
header{padding:12px 20px 6px}h1{font-size:18px;margin:0 0 4px;font-weight:500}header p{margin:0;color:#8e8e9e}
.grid{position:relative;margin:8px 20px 20px;height:${height}px}
.panel{position:absolute;box-sizing:border-box;background:#181b1f;border:1px solid #2c3235;border-radius:3px;padding:6px 8px;overflow:hidden}
.title{font-weight:500;margin-bottom:4px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.row{position:absolute;font-size:14px;font-weight:500;padding-top:6px}
.legend{font-size:10px;line-height:15px;overflow:hidden;display:flex;flex-wrap:wrap;gap:0 12px;color:#c7d0d9}
.legend i{display:inline-block;width:10px;height:3px;margin-right:4px;vertical-align:middle}
.tiles{display:flex;flex-wrap:wrap;gap:6px}.tile{flex:1 1 140px;border-radius:3px;padding:6px 8px;color:#fff}
.tname{font-size:11px;opacity:.9}.tvalue{font-size:20px;font-weight:500}
.none{color:#8e8e9e;padding:20px;text-align:center}
</style></head><body><header><h1>${esc(d.title)}</h1><p>${esc(d.description ?? '')} — queries of grafana/dashboards/${esc(d.file)} on Prometheus data from a test run, ${clock(range.start)}–${clock(range.end)} UTC.</p></header>
<div class="grid">${html.join('')}</div></body></html>`;
}

export async function screenshotHtml(page: Page, html: string, file: string): Promise<void> {
  await page.setViewportSize({ width: 1600, height: 900 });
  await page.setContent(html, { waitUntil: 'load' });
  await page.screenshot({ path: file, fullPage: true });
}

/**
 * Server-side rendering with eta: every page is a template in ./templates that uses
 * the shared layout (nav bar, notices), and gets its data already shaped by the route.
 * Interpolations are HTML-escaped by default (`<%= %>`).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { FastifyReply } from 'fastify';
import { csrfTokenOf } from '../../security/auth-plugin.js';
import { csrfFormParts } from '../../security/csrf.js';
import { ago, formatCount, formatDuration, formatPercent, formatUtc } from './format.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const eta = new Eta({ views: path.join(here, 'templates'), cache: true, autoTrim: [false, 'nl'] });

export type PageKey = 'home' | 'banks' | 'exchanges' | 'match' | 'results' | 'documentation' | 'error';

export const NAV: ReadonlyArray<{ readonly key: PageKey; readonly href: string; readonly label: string }> = [
  { key: 'home', href: '/ui/', label: 'Dashboard' },
  { key: 'banks', href: '/ui/banks', label: 'Banks' },
  { key: 'exchanges', href: '/ui/exchanges', label: 'Exchanges' },
  { key: 'match', href: '/ui/match', label: 'Match debugger' },
  { key: 'results', href: '/ui/results', label: 'Live results' },
  { key: 'documentation', href: '/ui/documentation', label: 'API documentation' },
];

/** A notice shown at the top of a page (after a form post, or an error). */
export interface Notice {
  readonly kind: 'ok' | 'error' | 'info';
  readonly text: string;
}

export interface PageFrame {
  readonly page: PageKey;
  readonly title: string;
  readonly development: boolean;
  readonly notices?: readonly Notice[];
}

/** Helpers every template can call as `it.fmt.*`. */
const fmt = { ago, formatCount, formatDuration, formatPercent, formatUtc, json: (v: unknown) => JSON.stringify(v, null, 2) };

export function renderPage<T extends object>(template: string, frame: PageFrame, data: T): string {
  return eta.render(template, { ...data, ...frame, nav: NAV, fmt, now: Math.floor(Date.now() / 1000) });
}

export function sendPage<T extends object>(reply: FastifyReply, template: string, frame: PageFrame, data: T, status = 200): FastifyReply {
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    // Every page's forms carry the login's CSRF token (src/security/csrf.ts).
    .send(renderPage(template, frame, { ...data, ...csrfFormParts(csrfTokenOf(reply.request)) }));
}

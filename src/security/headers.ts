/**
 * Security headers on every answer (@fastify/helmet) and a strict Content-Security-Policy:
 * the UI's pages load only their own script and stylesheet (no inline code, no CDN), and
 * only this origin may frame them. Swagger UI, under /openapi, gets inline styles (it
 * sets them at run time) but still only its own scripts.
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

type Directives = Record<string, string[]>;

/** Own files only; images may also be data: and blob: URLs (previews of picked files). */
export const UI_CSP: Directives = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'frame-src': ["'self'"],
  'frame-ancestors': ["'self'"],
  'form-action': ["'self'"],
  'base-uri': ["'none'"],
  'object-src': ["'none'"],
};

const SWAGGER_CSP: Directives = { ...UI_CSP, 'style-src': ["'self'", "'unsafe-inline'"] };

// No upgrade-insecure-requests: a UI served over plain HTTP (behind a TLS proxy, or
// locally) would lose its own stylesheet and script.
const csp = (directives: Directives) => ({ contentSecurityPolicy: { useDefaults: false, directives } });

export const securityHeaders = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRoute', (route) => {
      // Before helmet's own onRoute hook, which reads this.
      if (route.url.startsWith('/openapi')) route.helmet = csp(SWAGGER_CSP);
    });
    await app.register(helmet, { ...csp(UI_CSP), global: true });
  },
  { name: 'hma-security-headers' },
);

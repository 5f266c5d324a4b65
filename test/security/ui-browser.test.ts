/**
 * The UI with authentication on, in headless Chromium: the login page, forms and ui.js's
 * send() carrying the CSRF token, logout, and no Content-Security-Policy violation (they
 * surface as console errors) on any page.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser } from '../ui/support/browser.js';
import { startSecuredApi, type SecuredApi } from './support.js';

const PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';

let api: SecuredApi;
let browser: Browser;
let page: Page;
let errors: string[];
let base = '';
let admin = '';

beforeAll(async () => {
  // Development mode for the /dev buttons; AUTH=token set explicitly.
  api = await startSecuredApi('uiauth', { PRODUCTION: 'false' });
  admin = (await api.token('browser-admin', ['admin'])).secret;
  base = await api.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchBrowser();
  ({ page, errors } = await browser.page());
});
afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

async function submit(selector: string): Promise<void> {
  const loaded = page.waitForEvent('load');
  await page.click(selector);
  await loaded;
}

describe('the UI behind a login', () => {
  it('logs in with a token and comes back to the page asked for', async () => {
    await page.goto(`${base}/ui/banks`);
    expect(new URL(page.url()).pathname).toBe('/ui/login');
    await page.fill('#token', 'hma_not-a-real-token-at-all-0000000000000000000');
    await submit('#login button');
    expect(await page.textContent('.notice.error')).toContain('not valid');
    await page.fill('#token', admin);
    await submit('#login button');
    expect(new URL(page.url()).pathname).toBe('/ui/banks');
    const cookies = await browser.context.cookies(base);
    expect(cookies.find((c) => c.name === 'hma_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  it('posts forms (urlencoded and multipart) and ui.js requests with the CSRF token', async () => {
    await page.fill('#bank-name', 'BROWSER_BANK');
    await submit('#create-bank button');
    expect(page.url()).toContain('done=bank_created');

    await page.goto(`${base}/ui/bank/BROWSER_BANK`);
    await page.selectOption('#add-hash-signal-type', 'pdq');
    await page.fill('#add-hash-signal-value', PDQ);
    await submit('#add-hash button');
    expect(page.url()).toContain('done=added');

    // Seed Banks goes through ui.js's send() (x-csrf-token header), then polls.
    await page.goto(`${base}/ui/`);
    await page.click('#seed-banks');
    await page.getByText('✅ Banks seeded').waitFor({ timeout: 90_000 });

    const names = (await api.as(admin, { url: '/c/banks' })).json().map((b: { name: string }) => b.name);
    expect(names).toEqual(expect.arrayContaining(['BROWSER_BANK', 'SEED_BANK_0', 'SEED_BANK_1']));
  }, 120_000);

  it('shows every page without a CSP violation or other console error', async () => {
    errors.length = 0; // the refused login above was a 401, on purpose
    for (const path of ['/ui/', '/ui/banks', '/ui/bank/BROWSER_BANK', '/ui/exchanges?api=ncmec', '/ui/match', '/ui/documentation']) {
      expect((await page.goto(`${base}${path}`))?.status(), path).toBe(200);
    }
    await page.frameLocator('iframe.docs').locator('.swagger-ui .info .title').waitFor({ timeout: 30_000 });
    expect(errors).toEqual([]);
  }, 120_000);

  it('logs out', async () => {
    await page.goto(`${base}/ui/`);
    await submit('#logout');
    expect(new URL(page.url()).pathname).toBe('/ui/login');
    await page.goto(`${base}/ui/banks`);
    expect(new URL(page.url()).pathname).toBe('/ui/login');
  });
});

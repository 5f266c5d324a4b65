/**
 * Role switches decide which route groups a process serves (docs/reference/hma-api.md §1.1): /h (and
 * /v1/content) with ROLE_HASHER, /m with ROLE_MATCHER, /c with ROLE_CURATOR, /ui with UI_ENABLED, and
 * /dev only when development mode is asked for (PRODUCTION defaults to true).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { buildApi } from '../../src/processes/api.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { scratchStack, type Stack } from '../support/stack.js';

let stack: Stack;
const runtimes: Runtime[] = [];
beforeAll(async () => {
  stack = await scratchStack('roles', { HASH_WORKERS: '1' });
});
afterAll(async () => {
  for (const r of runtimes) await r.stop();
  await stack?.drop();
});

const none = { ROLE_HASHER: 'false', ROLE_MATCHER: 'false', ROLE_CURATOR: 'false', UI_ENABLED: 'false', PRODUCTION: 'true' };

/** The route groups a process with these settings serves, from its site map. */
async function groupsServed(env: Record<string, string>): Promise<string[]> {
  const runtime = new Runtime(stack.configWith({ ...none, ...env }), 'roles-test');
  runtimes.push(runtime);
  const app = (await buildApi(runtime)).app;
  const map = (await app.inject({ url: '/site-map' })).json() as string[];
  await runtime.stop();
  return [...new Set(map.map((r) => /^\/(h|m|c|ui|dev|v1)\//.exec(r)?.[1]).filter((g): g is string => g !== undefined))].sort();
}

describe('role switches', () => {
  it('default to production mode', () => {
    expect(loadConfig({}).PRODUCTION).toBe(true);
  });

  it.each([
    [{}, []],
    // The hasher role also takes pipeline submissions (POST /v1/content).
    [{ ROLE_HASHER: 'true' }, ['h', 'v1']],
    [{ ROLE_MATCHER: 'true' }, ['m']],
    [{ ROLE_CURATOR: 'true' }, ['c']],
    [{ UI_ENABLED: 'true' }, ['ui']],
    [{ PRODUCTION: 'false' }, ['dev']],
    [{ ROLE_HASHER: 'true', ROLE_MATCHER: 'true', ROLE_CURATOR: 'true', UI_ENABLED: 'true' }, ['c', 'h', 'm', 'ui', 'v1']],
  ])('%j serves %j', async (env, groups) => {
    expect(await groupsServed(env)).toEqual(groups);
  });

  it('serves the probes and the site map whatever the roles', async () => {
    const runtime = new Runtime(stack.configWith(none), 'roles-core');
    runtimes.push(runtime);
    const app = (await buildApi(runtime)).app;
    for (const url of ['/status', '/status/live', '/metrics', '/site-map']) expect((await app.inject({ url })).statusCode, url).toBe(200);
    expect((await app.inject({ url: '/c/audit' })).statusCode).toBe(404);
  });
});

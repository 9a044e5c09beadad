import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import type { KyselyStore } from '../../src/store/sql/kysely-store.ts';
import { directoryEnv } from '../support/directory-servers.ts';
import { freshStore } from '../support/stores.ts';

describe('HTTP app', () => {
  let store: KyselyStore;
  let dispose: () => Promise<void>;
  const config = loadConfig(directoryEnv('ad'));
  const directory = { findUser: async () => null };
  before(async () => {
    ({ store, dispose } = await freshStore('sqlite'));
  });
  after(() => dispose());

  it('serves the health endpoints: liveness, and readiness that checks the store', async () => {
    const app = createApp({ config, log: createLogger('silent'), store, directory });
    await request(app).get('/healthz').expect(200, { status: 'ok' });
    await request(app).get('/readyz').expect(200, { status: 'ok' });
  });

  it('readiness says 503 when the store is down', async () => {
    const down = { ping: () => Promise.reject(new Error('down')) };
    const app = createApp({ config, log: createLogger('silent'), store: down, directory });
    await request(app).get('/readyz').expect(503);
  });

  it('sends a strict CSP without unsafe-inline, no x-powered-by, and no HSTS over plain HTTP', async () => {
    const app = createApp({ config, log: createLogger('silent'), store, directory });
    const res = await request(app).get('/').expect(200);
    const csp = res.headers['content-security-policy'] ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /style-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(res.headers['x-powered-by'], undefined);
    assert.equal(res.headers['strict-transport-security'], undefined);
  });

  it('sends HSTS when the base URL is https', async () => {
    const tls = loadConfig(directoryEnv('ad', { BASE_URL: 'https://sspr.example.com' }));
    const app = createApp({ config: tls, log: createLogger('silent'), store, directory });
    const res = await request(app).get('/healthz').expect(200);
    assert.match(res.headers['strict-transport-security'] ?? '', /max-age=31536000/);
  });

  it('an unknown path gets the 404 page', async () => {
    const app = createApp({ config, log: createLogger('silent'), store, directory });
    const res = await request(app).get('/no/such/page').expect(404);
    assert.match(res.text, /Page not found/);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createApp } from '../../src/app.ts';
import { givenApp, type TestApp } from '../support/test-app.ts';

describe('HTTP app basics', () => {
  let t: TestApp;
  let tls: TestApp;
  before(async () => {
    t = await givenApp('ad');
    tls = await givenApp('ad', { BASE_URL: 'https://sspr.example.com', TRUST_PROXY: '1' });
  });
  after(async () => {
    await t.close();
    await tls.close();
  });

  it('serves the health endpoints: liveness, and readiness that checks the store', async () => {
    await request(t.app).get('/healthz').expect(200, { status: 'ok' });
    await request(t.app).get('/readyz').expect(200, { status: 'ok' });
  });

  it('readiness says 503 when the store is down', async () => {
    const down = {
      ...t.services,
      store: Object.assign(Object.create(t.services.store), {
        ping: () => Promise.reject(new Error('down')),
      }),
    };
    await request(createApp(down)).get('/readyz').expect(503);
  });

  it('sends a strict CSP without unsafe-inline, no x-powered-by, no-referrer, and no HSTS over plain HTTP', async () => {
    const res = await request(t.app).get('/').expect(200);
    const csp = res.headers['content-security-policy'] ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /style-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(res.headers['x-powered-by'], undefined);
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.equal(res.headers['strict-transport-security'], undefined);
  });

  it('pages contain no inline script or style (the CSP would block them)', async () => {
    for (const path of ['/', '/reset', '/unlock', '/change', '/enroll']) {
      const html = (await request(t.app).get(path).expect(200)).text;
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, `inline script on ${path}`);
      assert.doesNotMatch(html, /<style|\sstyle="/, `inline style on ${path}`);
      assert.doesNotMatch(html, /\son[a-z]+="/, `inline handler on ${path}`);
    }
  });

  it('sends HSTS and a Secure, HttpOnly, SameSite=Lax __Host- cookie when the base URL is https', async () => {
    const res = await request(tls.app).get('/reset').set('X-Forwarded-Proto', 'https').expect(200);
    assert.match(res.headers['strict-transport-security'] ?? '', /max-age=31536000/);
    const cookie = String(res.headers['set-cookie'] ?? '');
    assert.match(cookie, /^__Host-sspr=/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /Secure/);
    assert.match(cookie, /SameSite=Lax/);
  });

  it('over plain HTTP the session cookie is HttpOnly and SameSite=Lax', async () => {
    const cookie = String((await request(t.app).get('/reset').expect(200)).headers['set-cookie'] ?? '');
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
  });

  it('flow pages are never cached', async () => {
    const res = await request(t.app).get('/reset').expect(200);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  it('an unknown path gets the 404 page; the demo outbox is absent outside demo mode', async () => {
    assert.match((await request(t.app).get('/no/such/page').expect(404)).text, /Page not found/);
    await request(t.app).get('/demo/outbox').expect(404);
  });
});

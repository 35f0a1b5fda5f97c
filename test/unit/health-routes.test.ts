import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { healthRoutes, type HealthCheck } from '../../src/api/routes/health.js';
import type { Principal } from '../../src/auth/principal.js';

/** The health routes over given checks; "Bearer ops" is an operator, "Bearer alice" a user. */
async function appWith(checks: Record<string, HealthCheck>) {
  const app = Fastify();
  await app.register(healthRoutes, {
    checks,
    authEnabled: true,
    async authenticate(request): Promise<Principal> {
      return request.headers.authorization === 'Bearer ops'
        ? { kind: 'operator', keyId: 'k1' }
        : { kind: 'user', userId: 'alice', keyId: 'k2' };
    },
  });
  return app;
}

describe('health routes', () => {
  it('keep liveness free of every check, and show why readiness fails to operators only', async () => {
    let calls = 0;
    const app = await appWith({
      database: async () => {
        calls += 1;
        throw new Error('connect ECONNREFUSED 10.0.0.5:5432');
      },
      docker: async () => {},
    });
    const live = await app.inject({ method: 'GET', url: '/healthz' });
    expect([live.statusCode, live.json()]).toEqual([200, { status: 'ok' }]);
    expect(calls).toBe(0);

    for (const headers of [{}, { authorization: 'Bearer alice' }]) {
      const shown = await app.inject({ method: 'GET', url: '/readyz', headers });
      expect([shown.statusCode, shown.json()]).toEqual([503, { status: 'not_ready' }]);
      expect(shown.body).not.toContain('10.0.0.5');
    }
    const operator = await app.inject({
      method: 'GET',
      url: '/readyz',
      headers: { authorization: 'Bearer ops' },
    });
    expect([operator.statusCode, operator.json()]).toEqual([
      503,
      {
        status: 'not_ready',
        checks: { database: 'failing: connect ECONNREFUSED 10.0.0.5:5432', docker: 'ok' },
      },
    ]);
    // Three answers within a second share one round of checks.
    expect(calls).toBe(1);
    await app.close();
  });

  it('counts a check that does not answer as failing', async () => {
    const app = await appWith({ database: () => new Promise(() => {}) });
    const started = Date.now();
    const answer = await app.inject({
      method: 'GET',
      url: '/readyz',
      headers: { authorization: 'Bearer ops' },
    });
    expect(answer.statusCode).toBe(503);
    expect(answer.json()).toEqual({ status: 'not_ready', checks: { database: 'failing: no answer in 3 s' } });
    expect(Date.now() - started).toBeLessThan(10_000);
    await app.close();
  });
});

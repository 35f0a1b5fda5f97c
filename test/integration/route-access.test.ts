import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteAccessEntry } from '../../src/api/auth.js';
import { createApiKey } from '../../src/auth/key-repository.js';
import { recordEvents } from '../../src/events/outbox.js';
import { createBucket, jobBody, startTestService, type TestService } from '../support/harness.js';

/**
 * Every route the service registers, walked from its own route table (not a list written here):
 * for each route with a path parameter, another user's key gets exactly the answer an unknown id
 * gets. A route added with an id and no owner check fails here, or stops the service from starting.
 */
let service: TestService;
let operatorKey: string;
const keys: Record<string, string> = {};
const ids: Record<string, string> = {};

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const UNKNOWN_ID = '01900000-0000-7000-8000-000000000000';

/**
 * Routes whose path parameters name nothing a user owns, and why that is so; any other route
 * stating `unowned` fails the walk until it is looked at and added here.
 */
const UNOWNED = new Map([
  ['GET /docs/static/*', 'files of the documentation page'],
  ['HEAD /docs/static/*', 'files of the documentation page'],
  ['OPTIONS *', 'CORS preflight, answered before any route'],
  ['GET /ui/*', "the dashboard's pages: the page asks the API, which checks the key"],
  ['HEAD /ui/*', "the dashboard's pages"],
  ['GET /assets/*', "the dashboard's built files"],
  ['HEAD /assets/*', "the dashboard's built files"],
  // Looked up under the key's own user; secrets.test.ts tries another user's and an operator's key.
  ['PUT /secrets/:name', "a secret of the caller's own user"],
  ['DELETE /secrets/:name', "a secret of the caller's own user"],
]);

beforeAll(async () => {
  // The API alone, with authentication on, and CORS on so that its preflight route is there too.
  service = await startTestService({
    roles: ['api'],
    env: {
      TDS_AUTH: 'on',
      TDS_CORS_ORIGIN: 'https://dashboard.example',
      TDS_WEBHOOK_ALLOW_PRIVATE: 'true',
    },
  });
  const bucket = await createBucket();
  operatorKey = (await createApiKey(service.db, { operator: true }, 'ops')).key;
  for (const user of ['alice', 'bob']) {
    const made = await createApiKey(service.db, { userId: user }, '');
    keys[user] = made.key;
    ids[`${user}Key`] = made.record.id;
  }
  await service.request('PUT', '/admin/users/alice', { allowedBuckets: [bucket] }, bearer(operatorKey));
  const submitted = await service.request(
    'POST',
    '/jobs',
    jobBody(bucket, { userId: 'alice' }),
    bearer(keys.alice!),
  );
  expect(submitted.status).toBe(202);
  ids.job = submitted.body.job.id;
  ids.run = submitted.body.run.id;
  const workflow = await service.request(
    'POST',
    '/workflows',
    {
      userId: 'alice',
      uniqueId: 'route-walk',
      s3_bucket: bucket,
      source_s3_prefix: '',
      destination_s3_prefix: '',
      steps: [
        { name: 'only', command: 'echo 1' },
        { name: 'fan', for_each: [1], command: 'echo {{item}}' },
      ],
    },
    bearer(keys.alice!),
  );
  expect(workflow.status, JSON.stringify(workflow.body)).toBe(202);
  ids.workflow = workflow.body.workflow.id;
  ids.workflow_run = workflow.body.workflowRun.id;
  const hook = await service.request(
    'POST',
    '/webhooks',
    { userId: 'alice', url: 'http://127.0.0.1:9/hook', events: ['run.failed'] },
    bearer(keys.alice!),
  );
  expect(hook.status).toBe(201);
  ids.webhook = hook.body.webhook.id;
  // A delivery to it: an event of alice's, written as every event is.
  await recordEvents(service.db, [{ type: 'run.failed', userId: 'alice', data: { runId: ids.run } }]);
  const [delivery] = await service.db.query<{ id: string }>(
    'SELECT id FROM webhook_deliveries WHERE endpoint_id = $1::uuid',
    [ids.webhook],
  );
  ids.webhook_delivery = delivery!.id;
});

afterAll(async () => {
  await service?.close();
});

/** What a route needs besides its path to answer at all (a search needs its text). */
const QUERIES: Record<string, string> = { 'GET /runs/:id/log-search': '?q=x' };

/** The route's URL with each path parameter set to `value`. */
function urlOf(route: RouteAccessEntry, value: (param: string) => string): string {
  const path = route.url.replace(/:([A-Za-z0-9_]+)|\*/g, (match, name: string | undefined) =>
    encodeURIComponent(value(name ?? match)),
  );
  return path + (QUERIES[`${route.method} ${route.url}`] ?? '');
}

async function ask(route: RouteAccessEntry, url: string, key: string) {
  const response = await fetch(`${service.apiUrl}${url}`, { method: route.method, headers: bearer(key) });
  // A stream answered 200 goes on while its run does: its status and headers are the answer.
  if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
    await response.body?.cancel();
    return { status: response.status, error: undefined };
  }
  const text = await response.text();
  return {
    status: response.status,
    error: text ? (JSON.parse(text) as { error?: string }).error : undefined,
  };
}

describe('every route with a path parameter', () => {
  it('answers another user exactly as it answers an unknown id', async () => {
    const routes = service.app!.routeAccess().filter((route) => /[:*]/.test(route.url));
    // The walk covers what the service has: jobs, runs, operator routes, the documentation, CORS.
    const names = routes.map((route) => `${route.method} ${route.url}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'GET /jobs/:id',
        'POST /runs/:id/cancel',
        'GET /runs/:id/log-stream',
        'GET /runs/:id/log-search',
        'GET /runs/:id/metrics',
        'GET /jobs/:id/runs',
        'GET /workflows/:id',
        'PUT /workflows/:id',
        'GET /workflows/:id/versions',
        'GET /workflow-runs/:id',
        'POST /workflow-runs/:id/retry',
        'GET /workflows/:id/runs',
        'GET /workflow-runs/:id/steps/:name/items',
        'PATCH /workflows/:id',
        'POST /workflows/:id/pause',
        'POST /workflows/:id/resume',
        'POST /workflows/:id/trigger',
        'DELETE /workflows/:id',
        'PUT /jobs/:id',
        'GET /jobs/:id/versions',
        'GET /runs/:id/files',
        'PUT /admin/users/:userId',
        'GET /webhooks/:id/deliveries',
        'POST /webhook-deliveries/:id/redeliver',
        'POST /admin/workers/:id/drain',
        'OPTIONS *',
      ]),
    );
    let owned = 0;
    for (const route of routes) {
      const name = `${route.method} ${route.url}`;
      const { access } = route;
      if (typeof access === 'object' && 'owner' in access) {
        const theirs = ids[access.owner];
        expect(
          theirs,
          `${name}: the walk has no ${access.owner} of another user to try; add one`,
        ).toBeDefined();
        const other = await ask(
          route,
          urlOf(route, () => theirs!),
          keys.bob!,
        );
        const unknown = await ask(
          route,
          urlOf(route, () => UNKNOWN_ID),
          keys.bob!,
        );
        expect(other, `${name} with another user's ${access.owner}`).toEqual(unknown);
        expect(other.status, name).toBe(404);
        if (route.method !== 'HEAD') expect(other.error, name).toBe('not_found');
        owned += 1;
      } else if (access === 'operator') {
        const real = (param: string) => (param === 'userId' ? 'alice' : ids.aliceKey!);
        const other = await ask(route, urlOf(route, real), keys.bob!);
        const unknown = await ask(
          route,
          urlOf(route, (p) => (p === 'userId' ? 'nobody' : UNKNOWN_ID)),
          keys.bob!,
        );
        expect(other, name).toEqual(unknown);
        expect(other.status, name).toBe(403);
        if (route.method !== 'HEAD') expect(other.error, name).toBe('forbidden');
        // An operator does reach them.
        if (route.method === 'GET')
          expect((await ask(route, urlOf(route, real), operatorKey)).status, name).toBe(200);
      } else {
        // Anything else with a path parameter is public or any-key: only the routes known to
        // name nothing a user owns may be.
        expect(
          typeof access === 'object' && 'unowned' in access,
          `${name} states ${JSON.stringify(access)}`,
        ).toBe(true);
        expect([...UNOWNED.keys()], `${name} is not known to name nothing a user owns`).toContain(name);
      }
    }
    expect(owned).toBeGreaterThanOrEqual(18);
  });

  it('lets the owner reach their own job and run on the routes that read them', async () => {
    for (const route of service.app!.routeAccess()) {
      const { access } = route;
      if (route.method !== 'GET' || typeof access !== 'object' || !('owner' in access)) continue;
      const answer = await ask(
        route,
        urlOf(route, (param) => (param === 'name' ? 'fan' : ids[access.owner]!)),
        keys.alice!,
      );
      expect(answer.status, `${route.method} ${route.url}`).toBe(200);
    }
  });

  it('serves the documentation and CORS preflight without a key', async () => {
    expect((await fetch(`${service.apiUrl}/docs/json`)).status).toBe(200);
    expect((await fetch(`${service.apiUrl}/docs/static/index.html`, { redirect: 'manual' })).status).toBe(
      302,
    );
    const preflight = await fetch(`${service.apiUrl}/jobs/${ids.job}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://dashboard.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://dashboard.example');
    // A request refused for want of a key still carries the CORS and security headers.
    const refused = await fetch(`${service.apiUrl}/jobs/${ids.job}`, {
      headers: { origin: 'https://dashboard.example' },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('https://dashboard.example');
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

/**
 * The API's request and answer types, generated from the OpenAPI document the service serves at
 * /docs/json: the app is built as the service builds it (its route schemas), with no database,
 * Docker engine or object store behind it, since only its routes' schemas are read, never a
 * handler run. `npm run api:types` writes them to api-types/openapi.ts; the unit test
 * test/unit/api-types.test.ts fails while the checked-in file differs from what this makes now.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import pino from 'pino';
import * as prettier from 'prettier';
import { buildApp, type AppDeps } from '../src/api/app.js';
import { rateLimitSettings } from '../src/roles/api-role.js';
import { loadConfig } from '../src/config.js';

export const API_TYPES_FILE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'api-types',
  'openapi.ts',
);

const HEADER = `// The API's request and answer types, generated from the service's OpenAPI document (GET /docs/json)
// by \`npm run api:types\` (scripts/api-types.ts): never edit by hand, regenerate. The dashboard and
// tds type their requests with it (openapi-fetch); test/unit/api-types.test.ts fails when it is stale.
`;

/**
 * A collaborator the document does not need (but for the `known` values its routes read when they
 * are registered): reading any of its functions is fine (routes keep
 * them), calling one is a mistake in this script and says so; closing it, when the app closes, is
 * nothing, since nothing was opened.
 */
function unused(name: string, known: Record<string, unknown> = {}): never {
  return new Proxy(
    {},
    {
      get: (_target, property) =>
        typeof property === 'string' && property in known
          ? known[property]
          : property === 'then'
            ? undefined
            : property === 'close'
              ? async () => undefined
              : () => {
                  throw new Error(
                    `${name}.${String(property)} was called while writing the OpenAPI document`,
                  );
                },
    },
  ) as never;
}

/** The OpenAPI document of this version of the service, as GET /docs/json serves it. */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const config = loadConfig({});
  const deps: AppDeps = {
    db: unused('db'),
    audit: unused('audit'),
    auditPageMax: config.audit.pageMax,
    jobs: unused('jobs'),
    workflows: unused('workflows'),
    workflowSchedules: unused('workflowSchedules'),
    output: unused('output'),
    dashboardDir: undefined,
    schedules: unused('schedules'),
    fleet: unused('fleet'),
    store: unused('store'),
    links: unused('links'),
    access: unused('access', { authEnabled: true, knowsOwnerOf: () => true }),
    defaultCeilings: config.userCeilings,
    logger: pino({ level: 'silent' }),
    corsOrigins: config.corsOrigins,
    trustProxy: config.trustProxy,
    healthChecks: {},
    bodyLimit: config.bodyLimitBytes,
    rateLimits: rateLimitSettings(config),
    versionPaging: config.versionPaging,
    webhooks: unused('webhooks'),
    secrets: unused('secrets'),
    eventHub: unused('eventHub'),
    streamSlots: unused('streamSlots'),
    usage: unused('usage'),
    metrics: { contentType: 'text/plain', render: async () => '' },
  };
  const app = await buildApp(deps);
  try {
    await app.ready();
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
  }
}

/** The text of api-types/openapi.ts for this version of the service, formatted as the repo is. */
export async function generateApiTypes(): Promise<string> {
  const document = await openApiDocument();
  const types = astToString(await openapiTS(document as never));
  const options = (await prettier.resolveConfig(API_TYPES_FILE)) ?? {};
  return prettier.format(HEADER + types, { ...options, filepath: API_TYPES_FILE });
}

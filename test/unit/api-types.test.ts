import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, generateApiTypes, openApiDocument } from '../../scripts/api-types.js';

describe('the API types the dashboard and tds are typed with (api-types/openapi.ts)', () => {
  it('are what `npm run api:types` writes from the route schemas now: a changed field is regenerated', async () => {
    const checkedIn = await readFile(API_TYPES_FILE, 'utf8');
    const now = await generateApiTypes();
    // Not toBe: a difference as a diff of lines reads better than two 12,000-line strings.
    expect(checkedIn.split('\n'), 'api-types/openapi.ts is stale: run `npm run api:types`').toEqual(
      now.split('\n'),
    );
  });

  it('come from the document the service serves: every route with a schema, a run state as an enum', async () => {
    const document = (await openApiDocument()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/jobs', '/runs/{id}', '/workflow-runs/{id}', '/states', '/webhooks']),
    );
    const text = await readFile(API_TYPES_FILE, 'utf8');
    expect(text).toContain("'/runs/{id}': {");
    expect(text).toMatch(/state:\s*\|\s*'queued'\s*\|\s*'staging'/);
  });
});

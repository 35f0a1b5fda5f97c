import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../services/db/database.js';
import { RUN_RESULTS, resultsLayout, resultsPrefix } from '../../src/runs/results-layout.js';
import { AWKWARD_SPECS } from '../support/awkward-specs.js';
import { newRunId } from '../../src/runs/run-repository.js';
import { connectTestDatabase } from '../support/database-driver.js';
import { createTestDatabase } from '../support/harness.js';

let db: Database;
beforeAll(async () => {
  db = connectTestDatabase(await createTestDatabase());
});
afterAll(async () => {
  await db.close();
});

describe('a results folder rendered as SQL', () => {
  it('is, on Postgres, the folder TypeScript names, for awkward specs', async () => {
    for (const spec of AWKWARD_SPECS) {
      const runId = newRunId();
      const [row] = await db.query<{ prefix: string }>(
        `SELECT ${RUN_RESULTS.sql('$1::jsonb', { runId: '$2::uuid::text' })} AS prefix`,
        [JSON.stringify(spec), runId],
      );
      expect(row!.prefix).toBe(resultsPrefix(spec, runId));
    }
  });

  it('reads its fixed text back as written', async () => {
    const layout = resultsLayout<'step'>({ spec: 'uniqueId' }, { text: "/it's \\ here/" }, { id: 'step' });
    const [row] = await db.query<{ prefix: string }>(
      `SELECT ${layout.sql('$1::jsonb', { step: '$2::text' })} AS prefix`,
      [JSON.stringify(AWKWARD_SPECS[2]), 'fan-out'],
    );
    expect(row!.prefix).toBe(layout.path(AWKWARD_SPECS[2]!, { step: 'fan-out' }));
  });
});

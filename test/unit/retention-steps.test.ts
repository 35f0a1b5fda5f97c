import { describe, expect, it } from 'vitest';
import { RETENTION_STEPS, retentionSteps } from '../../src/roles/housekeeper-role.js';
import { activeRetentionSteps, type RetentionStep } from '../../src/worker/housekeeper.js';

const step = (name: string, days?: number): RetentionStep => ({
  name,
  ...(days === undefined ? {} : { days }),
  prune: () => Promise.resolve(0),
});

describe('retention steps', () => {
  it("prune by their own period when they have one, by the history's otherwise; a period of 0 keeps all", () => {
    const steps = [step('runs'), step('audit', 365), step('kept', 0)];
    expect(activeRetentionSteps(steps, 30).map((s) => s.name)).toEqual(['runs', 'audit']);
    // The history kept for ever: a step with a period of its own still prunes.
    expect(activeRetentionSteps(steps, 0).map((s) => s.name)).toEqual(['audit']);
  });

  it("are the history's, then the audit log's by TDS_AUDIT_RETENTION_DAYS", () => {
    const steps = retentionSteps({ audit: { pageMax: 50, retentionDays: 90 } });
    expect(steps.slice(0, -1)).toEqual(RETENTION_STEPS);
    expect(steps.at(-1)).toMatchObject({ name: 'audit', days: 90 });
    expect(RETENTION_STEPS.every((s) => s.days === undefined)).toBe(true);
    expect(activeRetentionSteps(retentionSteps({ audit: { pageMax: 50, retentionDays: 0 } }), 30)).toEqual(
      RETENTION_STEPS,
    );
  });
});

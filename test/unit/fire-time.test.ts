import { describe, expect, it } from 'vitest';
import { fillFireTime, fireTime, fireTimeEnv, specAtFireTime } from '../../src/runs/fire-time.js';
import type { JobSpec } from '../../src/jobs/job-spec.js';

const AT = new Date('2026-03-04T23:30:07.250Z');

describe("a run's fire time", () => {
  it('gives the instant in UTC to the second and its date in the definition timezone', () => {
    expect(fireTime(AT, 'UTC')).toEqual({ now: '2026-03-04T23:30:07Z', today: '2026-03-04' });
    // Half past midnight in Paris, still the 4th in UTC: the date is the definition's.
    expect(fireTime(AT, 'Europe/Paris')).toEqual({ now: '2026-03-04T23:30:07Z', today: '2026-03-05' });
    expect(fireTime(new Date('2026-03-05T03:00:00Z'), 'America/New_York').today).toBe('2026-03-04');
    expect(fireTimeEnv(fireTime(AT, 'UTC'))).toEqual([
      'TDS_SCHEDULED_FOR=2026-03-04T23:30:07Z',
      'TDS_RUN_DATE=2026-03-04',
    ]);
  });

  it('fills ${TODAY} and ${NOW}, keeps $${TODAY} and $${NOW} literal, and leaves every other name', () => {
    const time = fireTime(AT, 'UTC');
    expect(fillFireTime('echo ${TODAY} ${NOW} ${HOME} $TODAY $${TODAY} $${NOW} ${TODAY}', time)).toBe(
      'echo 2026-03-04 2026-03-04T23:30:07Z ${HOME} $TODAY ${TODAY} ${NOW} 2026-03-04',
    );
    expect(fillFireTime('${today} ${ TODAY } ${TODAY_X}', time)).toBe('${today} ${ TODAY } ${TODAY_X}');
  });

  it('fills the command, args (a list or a string) and env values, and nothing else', () => {
    const time = fireTime(AT, 'UTC');
    const spec = {
      command: 'tar -czf output/backup-${TODAY}.tar.gz .',
      args: ['--day', '${TODAY}', 'at ${NOW}'],
      env: { DAY: '${TODAY}', KEEP: '$${NOW}', '${TODAY}': 'x' },
      source_s3_prefix: 'in/${TODAY}/',
      destination_s3_prefix: 'out/',
    } as unknown as JobSpec;
    const filled = specAtFireTime(spec, time);
    expect(filled).toEqual({
      command: 'tar -czf output/backup-2026-03-04.tar.gz .',
      args: ['--day', '2026-03-04', 'at 2026-03-04T23:30:07Z'],
      env: { DAY: '2026-03-04', KEEP: '${NOW}', '${TODAY}': 'x' },
      source_s3_prefix: 'in/${TODAY}/',
      destination_s3_prefix: 'out/',
    });
    expect(specAtFireTime({ ...spec, command: null, args: 'echo ${NOW}' }, time)).toMatchObject({
      command: null,
      args: 'echo 2026-03-04T23:30:07Z',
    });
    // The stored spec is left as it was.
    expect(spec.command).toBe('tar -czf output/backup-${TODAY}.tar.gz .');
  });
});

import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { promtoolImage, promtoolTestRules } from '../support/promtool.js';

/**
 * The example alert rules (examples/prometheus-alerts.yml) against their fixtures
 * (test/fixtures/prometheus-alerts.test.yml) with Prometheus' own `promtool test rules`, run in an
 * image made from the base image with Debian's `prometheus` package (built once, kept by tag).
 */
const root = path.resolve(import.meta.dirname, '../..');
const FIXTURES = 'test/fixtures/prometheus-alerts.test.yml';

interface RuleFile {
  groups: { rules: { alert: string }[] }[];
}
interface Fixtures {
  tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

let image: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  image = await promtoolImage();
});

afterAll(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('the example alert rules', () => {
  it.concurrent('pass their fixtures under promtool test rules', async () => {
    const { code, output } = await promtoolTestRules(image, root, [FIXTURES]);
    expect(output).toContain('SUCCESS');
    expect(code, output).toBe(0);
  });

  it.concurrent('each have a fixture in which they fire and one in which they stay quiet', async () => {
    const rules = parse(
      await readFile(path.join(root, 'examples/prometheus-alerts.yml'), 'utf8'),
    ) as RuleFile;
    const fixtures = parse(await readFile(path.join(root, FIXTURES), 'utf8')) as Fixtures;
    const checks = fixtures.tests.flatMap((test) => test.alert_rule_test ?? []);
    const alerts = rules.groups.flatMap((group) => group.rules.map((rule) => rule.alert));
    expect(alerts.length).toBeGreaterThanOrEqual(20);
    for (const alert of alerts) {
      const mine = checks.filter((check) => check.alertname === alert);
      expect(
        mine.some((check) => (check.exp_alerts ?? []).length > 0),
        `${alert} fires`,
      ).toBe(true);
      expect(
        mine.some((check) => (check.exp_alerts ?? []).length === 0),
        `${alert} stays quiet`,
      ).toBe(true);
    }
  });

  it.concurrent('fail promtool when a fixture expects what the rules do not do', async () => {
    // The same rules and fixtures, with one fixture claiming that a process down for a minute
    // already pages: promtool must say so, or the passing run above proves nothing.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tds-promtool-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await mkdir(path.join(dir, 'examples'));
    await mkdir(path.join(dir, 'test/fixtures'), { recursive: true });
    await cp(
      path.join(root, 'examples/prometheus-alerts.yml'),
      path.join(dir, 'examples/prometheus-alerts.yml'),
    );
    const fixtures = await readFile(path.join(root, FIXTURES), 'utf8');
    const wrong = fixtures.replace(
      /- eval_time: 3m # down for a minute: not yet\n(\s+)alertname: TdsProcessDown\n\s+exp_alerts: \[\]/,
      (_, indent: string) =>
        `- eval_time: 3m\n${indent}alertname: TdsProcessDown\n${indent}exp_alerts:\n${indent}  - exp_labels: { severity: critical, job: tds, instance: w1 }`,
    );
    expect(wrong).not.toBe(fixtures);
    await writeFile(path.join(dir, 'test/fixtures/wrong.test.yml'), wrong);
    const { code, output } = await promtoolTestRules(image, dir, ['test/fixtures/wrong.test.yml']);
    expect(code, output).not.toBe(0);
    expect(output).toMatch(/FAILED[\s\S]*TdsProcessDown, time: 3m/);
  });
});

import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';

/**
 * The deploy files that the suite cannot start here: the systemd units (checked by systemd's own
 * `systemd-analyze verify`: keys, sections, that every command exists) and the Helm chart (no
 * Kubernetes or Helm here: its values and metadata parse, and every value a template reads is in
 * values.yaml). The Compose files are started by service-image.test.ts.
 */
const root = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

describe('the systemd units', () => {
  it('pass systemd-analyze verify with nothing to say', async () => {
    const folder = path.join(root, 'deploy/systemd');
    const units = (await readdir(folder))
      .filter((file) => file.endsWith('.service'))
      .map((file) => path.join(folder, file));
    expect(units.map((unit) => path.basename(unit)).sort()).toEqual([
      'tds-api.service',
      'tds-exporter.service',
      'tds-migrate.service',
      'tds-scheduler.service',
      'tds-worker.service',
    ]);
    // It exits 0 on unknown keys, only saying so: anything it says is a failure.
    const { stdout, stderr } = await run('systemd-analyze', ['verify', '--man=no', ...units]);
    expect(`${stdout}${stderr}`).toBe('');
  });

  it('give the worker longer to stop than its shutdown grace', async () => {
    const unit = await readFile(path.join(root, 'deploy/systemd/tds-worker.service'), 'utf8');
    const dockerStop = Number(/docker stop --time (\d+)/.exec(unit)?.[1]);
    const systemdStop = Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1]);
    expect(dockerStop).toBeGreaterThan(30);
    expect(systemdStop).toBeGreaterThan(dockerStop);
  });
});

describe('the Helm chart', () => {
  const chart = path.join(root, 'deploy/helm/task-deploy-service');

  it('reads only values that values.yaml has', async () => {
    const meta = YAML.parse(await readFile(path.join(chart, 'Chart.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(meta).toMatchObject({ apiVersion: 'v2', name: 'task-deploy-service' });
    const values = YAML.parse(await readFile(path.join(chart, 'values.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    const templates = await readdir(path.join(chart, 'templates'));
    const missing: string[] = [];
    let read = 0;
    for (const template of templates) {
      const text = await readFile(path.join(chart, 'templates', template), 'utf8');
      expect(text.split('{{').length, `${template}: unbalanced {{ }}`).toBe(text.split('}}').length);
      for (const [, reference] of text.matchAll(/\.Values\.([A-Za-z0-9_.]+)/g)) {
        read += 1;
        let value: unknown = values;
        for (const key of reference!.split('.'))
          value = (value as Record<string, unknown> | undefined)?.[key];
        if (value === undefined) missing.push(`${template}: .Values.${reference}`);
      }
    }
    expect(read).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });

  it('gives the worker longer to stop than its shutdown grace, and migrates before install and upgrade', async () => {
    const values = YAML.parse(await readFile(path.join(chart, 'values.yaml'), 'utf8')) as {
      worker: { terminationGracePeriodSeconds: number };
    };
    expect(values.worker.terminationGracePeriodSeconds).toBeGreaterThan(30);
    const job = await readFile(path.join(chart, 'templates/migrate-job.yaml'), 'utf8');
    expect(job).toMatch(/helm\.sh\/hook: pre-install,pre-upgrade/);
  });
});

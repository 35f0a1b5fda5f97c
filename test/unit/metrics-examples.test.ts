import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { SqlExecutor } from '../../services/db/database.js';
import { createServiceMetrics } from '../../src/metrics/service-metrics.js';
import { createSignals } from '../../src/signals.js';

const root = path.resolve(import.meta.dirname, '../..');

/** Series Prometheus itself makes for each target it scrapes. */
const SCRAPE_SERIES = ['up'];

/**
 * The metric names the service registers, the exporter's included (a database that answers
 * nothing is enough to list them), and the series Prometheus makes of each scrape.
 */
function registeredNames(): Set<string> {
  const db = { query: async () => [] } as unknown as SqlExecutor;
  const metrics = createServiceMetrics(db, createSignals());
  metrics.registerExporter({ defaultUserLimit: 10, leaseMs: 60_000 });
  return new Set([...metrics.registry.getMetricsAsArray().map((metric) => metric.name), ...SCRAPE_SERIES]);
}

/** Metric names an expression reads: histograms' series (`_bucket`, `_sum`, `_count`) by their own name. */
function metricNames(expr: string): string[] {
  const names = expr.match(/\b(?:(?:tds|process|nodejs)_[a-z0-9_]+|up(?=\{))\b/g) ?? [];
  return names.map((name) => name.replace(/_(bucket|sum|count)$/, ''));
}

describe('the example alert rules', () => {
  it('parse as a Prometheus rule file whose every expression reads metrics the service has', async () => {
    const file = parse(await readFile(path.join(root, 'examples/prometheus-alerts.yml'), 'utf8')) as {
      groups: { name: string; rules: { alert: string; expr: string; labels?: Record<string, string> }[] }[];
    };
    const names = registeredNames();
    const rules = file.groups.flatMap((group) => group.rules);
    expect(rules.length).toBeGreaterThanOrEqual(8);
    for (const rule of rules) {
      expect(rule.alert, JSON.stringify(rule)).toMatch(/^[A-Za-z][A-Za-z0-9]*$/);
      expect(typeof rule.expr).toBe('string');
      expect(rule.labels?.severity, rule.alert).toBeDefined();
      const used = metricNames(rule.expr);
      expect(used.length, `${rule.alert} reads no metric`).toBeGreaterThan(0);
      for (const name of used) expect(names, `${rule.alert}: ${name}`).toContain(name);
    }
  });
});

describe('the example Grafana dashboard', () => {
  it('is JSON whose every query reads metrics the service has', async () => {
    const dashboard = JSON.parse(
      await readFile(path.join(root, 'examples/grafana-dashboard.json'), 'utf8'),
    ) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const names = registeredNames();
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        for (const name of metricNames(target.expr)) expect(names, `${panel.title}: ${name}`).toContain(name);
      }
    }
  });
});

describe('metric names', () => {
  it('follow the conventions: a tds_ prefix, base units, _total only on counters', () => {
    const db = { query: async () => [] } as unknown as SqlExecutor;
    const { registry } = createServiceMetrics(db, createSignals());
    const own = registry.getMetricsAsArray().filter((metric) => metric.name.startsWith('tds_'));
    expect(own.length).toBeGreaterThanOrEqual(15);
    for (const metric of own) {
      const type = (metric as unknown as { type: string }).type;
      expect(metric.name.endsWith('_total'), metric.name).toBe(type === 'counter');
      expect(metric.name, 'base units only').not.toMatch(/_(ms|milliseconds|minutes|hours|mb|kb)(_|$)/);
      expect((metric as unknown as { labelNames: string[] }).labelNames ?? []).not.toEqual(
        expect.arrayContaining(['run_id']),
      );
    }
  });
});

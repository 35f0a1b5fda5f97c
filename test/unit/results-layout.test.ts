import { describe, expect, it } from 'vitest';
import { RUN_RESULTS, resultsLayout, resultsPrefix, stepManifestKey } from '../../src/runs/results-layout.js';
import { AWKWARD_SPECS } from '../support/awkward-specs.js';

/**
 * Evaluates the SQL expressions a layout writes (`(spec ->> 'field') || 'text' || id`) over a
 * spec and id values, reading string literals as Postgres does ('' is a quote; E'…' takes
 * backslash escapes). The integration test of the same name runs them on Postgres itself.
 */
function evaluate(sql: string, spec: Record<string, string>, ids: Record<string, string>): string {
  let rest = sql;
  let out = '';
  while (rest.length > 0) {
    let match: RegExpExecArray | null;
    if ((match = /^\(spec ->> '([A-Za-z0-9_]+)'\)/.exec(rest))) {
      out += spec[match[1]!]!;
    } else if ((match = /^(E?)'((?:[^'\\]|''|\\.)*)'/.exec(rest))) {
      const body = match[2]!.replaceAll("''", "'");
      out += match[1] ? body.replace(/\\(.)/g, '$1') : body;
    } else if ((match = /^([a-z_]+)::text/.exec(rest))) {
      out += ids[match[1]!]!;
    } else {
      throw new Error(`cannot read ${rest}`);
    }
    rest = rest.slice(match[0].length);
    if (rest.startsWith(' || ')) rest = rest.slice(4);
    else if (rest.length > 0) throw new Error(`expected || before ${rest}`);
  }
  return out;
}

describe('a run results folder', () => {
  it('is written in SQL as the scheduler fires runs: the spec fields, the run id and the slashes', () => {
    expect(RUN_RESULTS.sql('j.spec', { runId: 'f.run_id::text' })).toBe(
      "(j.spec ->> 'destination_s3_prefix') || (j.spec ->> 'uniqueId') || '/' || f.run_id::text || '/'",
    );
  });

  it('names the same folder in TypeScript and in SQL, on awkward values', () => {
    const runId = '0190e2c4-7a1b-7c3d-8e4f-0123456789ab';
    for (const spec of AWKWARD_SPECS) {
      const sql = RUN_RESULTS.sql('spec', { runId: 'run_id::text' });
      expect(evaluate(sql, spec, { run_id: runId })).toBe(resultsPrefix(spec, runId));
    }
    expect(resultsPrefix(AWKWARD_SPECS[0]!, runId)).toBe(`out/plain/${runId}/`);
  });

  it('quotes fixed text so that SQL reads it back as written', () => {
    const layout = resultsLayout<'step'>(
      { spec: 'uniqueId' },
      { text: "/it's \\ here/" },
      { id: 'step' },
      { text: '/' },
    );
    for (const spec of AWKWARD_SPECS) {
      expect(evaluate(layout.sql('spec', { step: 'step::text' }), spec, { step: "a'b" })).toBe(
        layout.path(spec, { step: "a'b" }),
      );
    }
    expect(layout.sql('spec', { step: 'step::text' })).toBe(
      "(spec ->> 'uniqueId') || E'/it''s \\\\ here/' || step::text || '/'",
    );
  });

  it("puts a fan-out step's manifest in the step's folder", () => {
    expect(
      stepManifestKey(
        { destination_s3_prefix: 'out/', uniqueId: 'etl' },
        { workflowRunId: 'wr1', step: 'shard' },
      ),
    ).toBe('out/etl/wr1/shard/items.jsonl');
  });
});

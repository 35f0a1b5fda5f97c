import { describe, expect, it } from 'vitest';
import { manifestLine } from '../../src/workflows/step-items.js';
import {
  itemResultsMayFit,
  itemsEnvName,
  joinItemResults,
  manifestEnvName,
  manifestPath,
  truncatedPlaceholder,
} from '../../src/workflows/step-results.js';
import { parseWorkflowRequest } from '../../src/workflows/workflow-definition.js';

const DEFAULTS = {
  timeoutSeconds: 3600,
  cpus: 1,
  memoryMb: 512,
  metricsIntervalSeconds: 1,
  baseImage: 'debian:bookworm-slim',
  network: 'none' as const,
  diskMb: 10240,
};
const KIB = 1024;

describe("a fan-out step's result within its bound", () => {
  it('reads the results only when their sizes together are within the bound', () => {
    expect(itemResultsMayFit([10, null, 20], 30)).toBe(true);
    expect(itemResultsMayFit([10, null, 21], 30)).toBe(false);
    expect(itemResultsMayFit([], 1)).toBe(true);
  });

  it('judges 10,000 items of 64 KiB over 64 KiB from their sizes alone, stopping at the first that passes it', () => {
    const sizes = Array.from({ length: 10_000 }, () => 64 * KIB);
    expect(itemResultsMayFit(sizes, 64 * KIB)).toBe(false);
    // As many items with no result make "[null,…]", 50,001 bytes: within.
    expect(itemResultsMayFit(new Array<null>(10_000).fill(null), 64 * KIB)).toBe(true);
  });

  it('joins results as a JSON array (JSON as JSON, other text as strings), or gives none over the bound', () => {
    expect(joinItemResults(['1', '{"a": 2}', 'text', null], 100)).toBe('[1,{"a":2},"text",null]');
    const exact = '[1,{"a":2},"text",null]'.length;
    expect(joinItemResults(['1', '{"a": 2}', 'text', null], exact)).toBeDefined();
    expect(joinItemResults(['1', '{"a": 2}', 'text', null], exact - 1)).toBeUndefined();
    // Results with no text of their own still cost their place in the array.
    expect(joinItemResults(new Array<null>(10_000).fill(null), 64 * KIB)).toHaveLength(50_001);
    expect(joinItemResults(new Array<null>(20_000).fill(null), 64 * KIB)).toBeUndefined();
  });

  it('counts bytes, not characters', () => {
    expect(joinItemResults(['é'.repeat(10)], 14)).toBeUndefined(); // "[\"éé…\"]" is 24 bytes
    expect(joinItemResults(['é'.repeat(10)], 24)).toBe(`["${'é'.repeat(10)}"]`);
  });
});

describe('a dependant of a fan-out step whose result is kept only in its manifest', () => {
  const definition = parseWorkflowRequest(
    {
      userId: 'alice',
      uniqueId: 'big',
      s3_bucket: 'bucket',
      source_s3_prefix: '',
      destination_s3_prefix: '/out/',
      steps: [
        { name: 'list', command: 'echo "[1,2]"' },
        { name: 'big-fan', for_each: '{{steps.list.result}}', command: 'echo {{item}}' },
        { name: 'by-file', depends_on: ['big-fan'], command: 'wc -l < "$TDS_STEP_BIG_FAN_MANIFEST"' },
        { name: 'pasted', command: "echo '{{steps.big-fan.result}}'" },
        { name: 'in-env', depends_on: ['by-file'], command: 'true', env: { R: '{{steps.big-fan.result}}' } },
      ],
    },
    DEFAULTS,
  );
  const step = (name: string) => definition.steps.find((s) => s.name === name)!;
  const truncated = (name: string) => name === 'big-fan';

  it('is given the file and a variable naming it', () => {
    expect(manifestPath('big-fan')).toBe('/job/steps/big-fan/items.jsonl');
    expect(manifestEnvName('big-fan')).toBe('TDS_STEP_BIG_FAN_MANIFEST');
  });

  it('starts when it reads no placeholder of that result', () => {
    expect(truncatedPlaceholder(step('by-file'), truncated, 64 * KIB)).toBeUndefined();
    expect(truncatedPlaceholder(step('pasted'), () => false, 64 * KIB)).toBeUndefined();
  });

  it('fails, saying where every item result is, when its command or env pastes that result', () => {
    expect(truncatedPlaceholder(step('pasted'), truncated, 64 * KIB)).toBe(
      '{{steps.big-fan.result}}: the result of fan-out step "big-fan" (its items\' results as one array) came to more than 65536 bytes (TDS_MAX_RESULT_BYTES), so it is kept only in its manifest and pasted nowhere; read /job/steps/big-fan/items.jsonl (named by $TDS_STEP_BIG_FAN_MANIFEST), one JSON line per item with its result',
    );
    expect(truncatedPlaceholder(step('in-env'), truncated, 64 * KIB)).toContain(
      'make "big-fan" a dependency (depends_on) to be given its manifest as a file, or read GET /workflow-runs/:id/steps/big-fan/items',
    );
  });
});

describe("a fan-out step's manifest", () => {
  it('holds, per item, its index, the item, state, exit code, attempts, result, run, failure reason and results folder', () => {
    const line = manifestLine({
      index: 1,
      item: { id: 't1', image: 'busybox:1', arguments: ['sh', '-c', 'exit 3'] },
      state: 'failed',
      runId: 'r1',
      exitCode: 3,
      attempts: 1,
      result: null,
      reason: 'exit_code: the command exited with code 3',
      results: 's3://bucket/out/wf/task/1/',
    });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.split('\n')).toHaveLength(2);
    expect(JSON.parse(line)).toEqual({
      index: 1,
      item: { id: 't1', image: 'busybox:1', arguments: ['sh', '-c', 'exit 3'] },
      state: 'failed',
      exitCode: 3,
      attempts: 1,
      result: null,
      runId: 'r1',
      reason: 'exit_code: the command exited with code 3',
      results: 's3://bucket/out/wf/task/1/',
    });
  });

  it('is named by TDS_STEP_<NAME>_ITEMS in the steps that depend on it', () => {
    expect(itemsEnvName('make-parts')).toBe('TDS_STEP_MAKE_PARTS_ITEMS');
    expect(manifestPath('make-parts')).toBe('/job/steps/make-parts/items.jsonl');
  });
});

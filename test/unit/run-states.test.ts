import { describe, expect, it } from 'vitest';
import {
  ACTIVE_STATES,
  RUN_STATES,
  RUN_TRANSITIONS,
  TERMINAL_STATES,
  UNFINISHED_STATES,
  canChange,
  transitionFrom,
  isTerminal,
  sqlState,
  sqlStates,
  type RunState,
} from '../../src/runs/run-states.js';

describe('run states in SQL', () => {
  it('writes a group as the list that follows IN, from the constant', () => {
    expect(sqlStates(UNFINISHED_STATES)).toBe("('queued', 'staging', 'building', 'running', 'uploading')");
    expect(sqlStates(ACTIVE_STATES)).toBe("('staging', 'building', 'running', 'uploading')");
    expect(sqlStates(TERMINAL_STATES)).toBe("('succeeded', 'failed', 'cancelled', 'timed_out')");
    expect(sqlState('timed_out')).toBe("'timed_out'");
  });

  it('refuses an empty list, which SQL cannot write after IN', () => {
    expect(() => sqlStates([])).toThrow(/at least one state/);
  });
});

describe('run state groups', () => {
  it('split every state into unfinished or ended, the active ones being the unfinished but queued', () => {
    expect([...UNFINISHED_STATES, ...TERMINAL_STATES].sort()).toEqual([...RUN_STATES].sort());
    expect(UNFINISHED_STATES.filter((s) => (TERMINAL_STATES as readonly RunState[]).includes(s))).toEqual([]);
    expect([...ACTIVE_STATES]).toEqual(UNFINISHED_STATES.filter((s) => s !== 'queued'));
    expect(RUN_STATES.filter(isTerminal)).toEqual([...TERMINAL_STATES]);
  });
});

describe('allowed changes of state', () => {
  it('are each between known states', () => {
    for (const [name, { from, to }] of Object.entries(RUN_TRANSITIONS)) {
      expect(from.length, name).toBeGreaterThan(0);
      expect(to.length, name).toBeGreaterThan(0);
      for (const state of [...from, ...to]) expect(RUN_STATES, `${name}: ${state}`).toContain(state);
    }
  });

  it('never leave an ended run, and never come back to where they start', () => {
    for (const [name, { from, to }] of Object.entries(RUN_TRANSITIONS)) {
      for (const state of from) expect(isTerminal(state), `${name} from ${state}`).toBe(false);
      for (const state of to)
        expect((from as readonly RunState[]).includes(state), `${name} to ${state}`).toBe(false);
    }
  });

  it('let every unfinished state end, and only staging, building or a fenced running run go back to the queue', () => {
    for (const state of UNFINISHED_STATES) {
      for (const end of TERMINAL_STATES) expect(canChange(state, end), `${state} → ${end}`).toBe(true);
    }
    expect(RUN_STATES.filter((s) => canChange(s, 'queued'))).toEqual(['staging', 'building', 'running']);
    // A running run goes back to the queue by one change alone: its container was fenced.
    const backFromRunning = Object.entries(RUN_TRANSITIONS).filter(
      ([, t]) =>
        (t.from as readonly RunState[]).includes('running') &&
        (t.to as readonly RunState[]).includes('queued'),
    );
    expect(backFromRunning.map(([name]) => name)).toEqual(['requeueFenced']);
    expect(RUN_TRANSITIONS.requeue.from).toEqual(['staging', 'building']);
    // What a restart or a lapsed lease hands back is what `requeue` may move, never a running run.
    expect(RUN_STATES.filter((s) => transitionFrom('requeue', s))).toEqual(['staging', 'building']);
    expect(canChange('queued', 'staging')).toBe(true);
    expect(canChange('queued', 'running')).toBe(false);
    expect(canChange('running', 'building')).toBe(false);
    expect(canChange('succeeded', 'queued')).toBe(false);
  });
});

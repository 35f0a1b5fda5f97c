import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { stateRoutes } from '../../src/api/routes/states.js';
import { EVENT_TYPES } from '../../src/events/outbox.js';
import { RUN_STATES } from '../../src/runs/run-states.js';
import { ITEM_STATES, STEP_STATES, STEP_TRANSITIONS } from '../../src/workflows/step-states.js';
import { WORKFLOW_RUN_STATES } from '../../src/workflows/workflow-states.js';

describe('GET /states', () => {
  it('serves every kind of state, its groups and transitions, as the service writes them', async () => {
    const app = Fastify();
    await app.register(stateRoutes);
    const answer = await app.inject({ method: 'GET', url: '/states' });
    expect(answer.statusCode).toBe(200);
    const states = answer.json();
    expect(states.run.states).toEqual([...RUN_STATES]);
    expect(states.workflowRun).toEqual({
      states: [...WORKFLOW_RUN_STATES],
      initial: 'queued',
      unfinished: ['queued', 'running'],
      ended: ['succeeded', 'failed', 'cancelled'],
      transitions: {
        start: { from: ['queued'], to: ['running'] },
        end: { from: ['queued', 'running'], to: ['succeeded', 'failed', 'cancelled'] },
      },
    });
    expect(states.step.states).toEqual([...STEP_STATES]);
    // What `tds run` reports as a step's start and end, and what the dashboard's legend counts.
    expect(states.step.ended).toEqual(['succeeded', 'failed', 'skipped', 'cancelled']);
    expect(states.step.started).toEqual(['running', 'succeeded', 'failed', 'cancelled']);
    expect(states.step.initial).toEqual(['pending', 'succeeded']);
    expect(Object.keys(states.step.transitions)).toEqual(Object.keys(STEP_TRANSITIONS));
    expect(states.step.fromRun.timed_out).toBe('failed');
    expect(states.item.states).toEqual([...ITEM_STATES]);
    // What the dashboard's webhook form offers.
    expect(states.event.types).toEqual([...EVENT_TYPES]);
    expect(states.event.types).toContain('run.failed');
    // Every state a transition names is one of its kind's.
    for (const kind of ['run', 'workflowRun', 'step'] as const) {
      for (const t of Object.values(states[kind].transitions) as { from: string[]; to: string[] }[]) {
        for (const s of [...t.from, ...t.to]) expect(states[kind].states).toContain(s);
      }
    }
  });
});

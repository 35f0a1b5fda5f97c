import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { EVENT_TYPES } from '../../events/outbox.js';
import { RUN_STATES, RUN_TRANSITIONS, TERMINAL_STATES, UNFINISHED_STATES } from '../../runs/run-states.js';
import {
  ENDED_STEP_STATES,
  INITIAL_STEP_STATES,
  ITEM_STATES,
  RUN_TO_STEP,
  STARTED_STEP_STATES,
  STEP_STATES,
  STEP_TRANSITIONS,
  UNFINISHED_STEP_STATES,
} from '../../workflows/step-states.js';
import {
  ENDED_WORKFLOW_RUN_STATES,
  INITIAL_WORKFLOW_RUN_STATE,
  UNFINISHED_WORKFLOW_RUN_STATES,
  WORKFLOW_RUN_STATES,
  WORKFLOW_RUN_TRANSITIONS,
} from '../../workflows/workflow-states.js';

/**
 * GET /states: the states of runs, workflow runs, steps and items, their groups and the named
 * transitions between them, served from the tables the service itself writes by
 * (src/runs/run-states.ts, src/workflows/workflow-states.ts, src/workflows/step-states.ts), so
 * that the CLI and the dashboard never spell them again.
 */
const Names = Type.Array(Type.String());
const Transitions = Type.Record(Type.String(), Type.Object({ from: Names, to: Names }));

const StatesSchema = Type.Object({
  run: Type.Object({ states: Names, unfinished: Names, ended: Names, transitions: Transitions }),
  workflowRun: Type.Object({
    states: Names,
    initial: Type.String(),
    unfinished: Names,
    ended: Names,
    transitions: Transitions,
  }),
  step: Type.Object({
    states: Names,
    initial: Names,
    unfinished: Names,
    ended: Names,
    started: Names,
    transitions: Transitions,
    fromRun: Type.Record(Type.String(), Type.String(), {
      description: "a plain step's state while its run is in each run state",
    }),
  }),
  item: Type.Object({ states: Names }),
  event: Type.Object(
    {
      types: Names,
    },
    { description: 'the event types webhooks are sent and GET /events streams' },
  ),
});

const transitions = (table: Record<string, { from: readonly string[]; to: readonly string[] }>) =>
  Object.fromEntries(Object.entries(table).map(([name, t]) => [name, { from: [...t.from], to: [...t.to] }]));

const STATES = {
  run: {
    states: [...RUN_STATES],
    unfinished: [...UNFINISHED_STATES],
    ended: [...TERMINAL_STATES],
    transitions: transitions(RUN_TRANSITIONS),
  },
  workflowRun: {
    states: [...WORKFLOW_RUN_STATES],
    initial: INITIAL_WORKFLOW_RUN_STATE,
    unfinished: [...UNFINISHED_WORKFLOW_RUN_STATES],
    ended: [...ENDED_WORKFLOW_RUN_STATES],
    transitions: transitions(WORKFLOW_RUN_TRANSITIONS),
  },
  step: {
    states: [...STEP_STATES],
    initial: [...INITIAL_STEP_STATES],
    unfinished: [...UNFINISHED_STEP_STATES],
    ended: [...ENDED_STEP_STATES],
    started: [...STARTED_STEP_STATES],
    transitions: transitions(STEP_TRANSITIONS),
    fromRun: { ...RUN_TO_STEP } as Record<string, string>,
  },
  item: { states: [...ITEM_STATES] },
  event: { types: [...EVENT_TYPES] },
};

export const stateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/states',
    {
      config: { access: 'user' },
      schema: {
        summary:
          'The states of runs, workflow runs, steps and items, the changes between them, and the event types',
        description:
          'Each kind: every state, its groups (unfinished, ended; a step also started and its initial states) and the named transitions, each with the states it moves from and to. The same for every caller and every installation of this version: clients read the lists here rather than keeping copies.',
        tags: ['states'],
        response: { 200: StatesSchema },
      },
    },
    async () => STATES,
  );
};

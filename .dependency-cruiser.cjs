// The layering of the service's code, checked by `npm run lint` (docs/layers.md explains it).
// A layer may import from its own layer and the layers below it, never from one above.
const LAYERS = [
  {
    name: 'adapters',
    paths: ['^services/'],
  },
  {
    name: 'foundation',
    paths: [
      '^src/(errors|ids|clock|start-stop|wakeable-sleep|retry-with-backoff|version|startup-error|sizes|schema-issues)[.]ts$',
      '^src/text/',
      '^src/cron/',
    ],
  },
  {
    name: 'domain',
    paths: [
      '^src/(audit|auth|runs|events|fleet|secrets|versions|streams|webhooks|usage)/',
      '^src/jobs/(?!job-service[.]ts$)',
      '^src/signals[.]ts$',
    ],
  },
  {
    name: 'machinery',
    paths: ['^src/runner/', '^src/scheduler/'],
  },
  {
    name: 'processes',
    // The job service stands beside the workflows: both are kinds of the one definition model.
    paths: ['^src/worker/', '^src/workflows/', '^src/definitions/', '^src/jobs/job-service[.]ts$'],
  },
  {
    name: 'edge',
    paths: ['^src/api/', '^src/metrics/'],
  },
  {
    name: 'composition',
    paths: ['^src/service[.]ts$', '^src/roles/', '^src/config[.]ts$'],
  },
  {
    name: 'entry',
    paths: ['^src/(main|keys-cli|healthcheck|logger)[.]ts$'],
  },
];

// Parts of one layer that never use each other: each is built by the roles beside the other.
const SIBLINGS = [
  ['^src/runner/', '^src/scheduler/'],
  ['^src/worker/', '^src/workflows/'],
  ['^src/api/', '^src/metrics/'],
];

const upward = LAYERS.slice(0, -1).map((layer, index) => ({
  name: `no-upward-from-${layer.name}`,
  comment: `${layer.name} (${layer.paths.join(', ')}) imports only from its own layer and those below it: take what is needed from above as a parameter (an interface the lower layer declares).`,
  severity: 'error',
  from: { path: layer.paths },
  to: { path: LAYERS.slice(index + 1).flatMap((above) => above.paths) },
}));

const siblings = SIBLINGS.flatMap(([a, b]) => [
  { from: a, to: b },
  { from: b, to: a },
]).map(({ from, to }) => ({
  name: `no-sideways-${from.replace(/[^a-z]/g, '')}-to-${to.replace(/[^a-z]/g, '')}`,
  comment: 'These two parts of one layer are composed by the roles and never use each other.',
  severity: 'error',
  from: { path: from },
  to: { path: to },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No module reaches itself through its imports, type-only imports included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-file-in-a-layer',
      comment:
        'Every module under src/ belongs to a layer: add a new folder to LAYERS in .dependency-cruiser.cjs.',
      severity: 'error',
      from: { path: '^src/', pathNot: LAYERS.flatMap((layer) => layer.paths) },
      to: {},
    },
    ...upward,
    ...siblings,
    {
      name: 'cli-is-a-client',
      comment:
        'The tds CLI is a client of the public API: it imports no adapter and, from src/, only pure text and definition helpers.',
      severity: 'error',
      from: { path: '^cli/' },
      to: {
        path: ['^services/', '^src/'],
        pathNot: ['^src/text/', '^src/workflows/placeholders[.]ts$'],
      },
    },
    {
      name: 'api-types-are-generated',
      comment:
        'api-types/ holds the types npm run api:types writes from the OpenAPI document: the dashboard and tds import them, and they import nothing.',
      severity: 'error',
      from: { path: '^api-types/' },
      to: {},
    },
    {
      name: 'dashboard-is-a-client',
      comment:
        "The dashboard runs in the browser and imports nothing of the service; of tds, only the pure definition helpers it shares (reading YAML with positions, a plan's changed fields).",
      severity: 'error',
      from: { path: '^dashboard/' },
      to: {
        path: ['^services/', '^src/', '^cli/'],
        pathNot: ['^cli/definitions/(problems|yaml-text|field-changes)[.]ts$'],
      },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dashboard/dist/', '^dist/'] },
  },
};

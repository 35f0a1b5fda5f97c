import js from '@eslint/js';
import regexp from 'eslint-plugin-regexp';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', 'coverage/', 'dist/', 'dashboard/dist/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  regexp.configs['flat/recommended'],
  {
    // Much of the text the patterns read is a tenant's or a job's: a pattern that can
    // backtrack on it holds the event loop (docs/security.md, "Text a tenant controls").
    rules: {
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
      // Taste, not safety: a spelled-out class says which characters a name may hold.
      'regexp/prefer-w': 'off',
      'regexp/prefer-d': 'off',
      'regexp/use-ignore-case': 'off',
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    // Dependencies run one way: the roles (api, worker, scheduler) use jobs and runs, never the
    // reverse. What jobs need of the scheduler comes in through an interface (ScheduleRegistry).
    files: ['src/jobs/**', 'src/runs/**', 'src/cron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/scheduler/*',
                '**/worker/*',
                '**/runner/*',
                '**/api/*',
                '**/roles/*',
                '**/service.js',
              ],
              message:
                'src/jobs, src/runs and src/cron are used by the roles and never use them: take what is needed as a parameter (see ScheduleRegistry in job-service.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    // The dashboard runs in the browser.
    files: ['dashboard/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        `window document history sessionStorage fetch URLSearchParams FormData Event TextDecoderStream
        AbortController addEventListener removeEventListener dispatchEvent setTimeout clearTimeout
        setInterval clearInterval Worker URL self performance`
          .split(/\s+/)
          .map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
);

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
    // The layering of the code (which folder may import which) is checked by dependency-cruiser
    // (.dependency-cruiser.cjs, run by npm run lint), which is a CommonJS file.
    files: ['.dependency-cruiser.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } },
  },
  {
    // The dashboard runs in the browser.
    files: ['dashboard/**/*.{js,ts}'],
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
    // `tds` runs cli/ on Node.js's own type stripping (bin/tds.js), which loads the file a specifier
    // names and nothing else: a relative import names the .ts file itself.
    files: ['cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^[.]{1,2}/.*[.]js$',
              message: 'cli/ runs on Node.js type stripping: import the .ts file (./name.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
);

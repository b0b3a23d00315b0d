// Lint: typescript-eslint type-checked rules that catch the bugs that matter in socket and
// process code (floating promises, misused promises, non-exhaustive switches), plus the
// layer rules of STYLE.md §2.2.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'python/**',
      'benchmarks/**/*.js',
      'eslint.config.js',
      // stdlib-only helper scripts run by npm scripts, outside the TypeScript project
      'scripts/**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['describe', 'it', 'test', 'suite'], package: 'node:test' },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^(fs|path|http|net|os|child_process|stream|crypto|url|util|events|assert|zlib|dns|tls|buffer|readline|worker_threads)(/.*)?$',
              message: 'Use the node: specifier.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/util/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../*'], message: 'util/ imports nothing from the project.' }] },
      ],
    },
  },
  {
    files: ['src/config/**/*.ts'],
    // load.ts is the config layer's entry point: it defaults to the built-in module list.
    ignores: ['src/config/**/*.test.ts', 'src/config/load.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^\\.\\./(?!util/|expr/(ast|lexer|parse)\\.js|modules/module\\.js|logging/error-log\\.js)',
              message:
                'config/ imports only util/ (and the module/log contracts, the ap_expr parser).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/**/*.test.ts'],
    rules: { 'no-console': 'error' },
  },
);

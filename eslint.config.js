// ESLint: typescript-eslint's strict type-checked rules over the TypeScript in src, test and bench.
// Formatting is Prettier's job (npm run format:check), so no stylistic rules here.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'fixtures/', 'examples/', 'templates/', '**/*.js', '**/*.mjs', '**/*.cjs', '**/*.d.mts', 'vitest.config.ts'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Numbers read the same in a template as with String(n); null, undefined, objects and booleans still do not pass.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `(error) => logger.warn(…)` and `() => resolve()` are the house idiom for callbacks; a void value used anywhere else is still reported.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // `const { forge: _forge, ...rest } = config` is how a field is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // `async` keeps a Promise contract (a throw becomes a rejection) for implementations of Promise-returning
      // interfaces and for readers that happen to use synchronous file calls today.
      '@typescript-eslint/require-await': 'off',
      // A caught error is passed on as it came.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    // Tests and benches: a value that is missing where the scenario put it makes the run fail at that line,
    // which is what a `!` there says; and the JSON that the CLI and the doubles print is read as `any` and
    // then asserted field by field with expect, so a typed parse would only repeat the assertion. afterAll
    // hooks stop doubles with `?.` because a failed beforeAll leaves them unassigned, which their types cannot say.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // The forge doubles turn whatever a client sent into text, as the real servers do.
    files: ['test/support/**/*.ts'],
    rules: { '@typescript-eslint/no-base-to-string': 'off' },
  },
);

// ESLint: mistakes the compiler lets through. Type-aware, because the one that costs
// most here is a promise nobody awaits: a cleanup that runs after the verdict, a
// rejection that kills the process instead of failing the case. Layout is Prettier's.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'out/', 'node_modules/']),
  {
    files: ['**/*.{js,mjs,ts}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
    rules: {
      // `_` names what a destructuring or a loop leaves out on purpose.
      'no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Terminal escapes and the characters XML cannot hold are matched on purpose.
      'no-control-regex': 'off',
      // Errors here are one-line messages that already carry the cause's words
      // (`oneLine(err)`, its code); a `cause` would only show in stack dumps.
      'preserve-caught-error': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: {
        // tsconfig.json's program, so the rules below see the types tsc sees.
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
);

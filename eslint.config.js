// ESLint for the whole tree: typed rules from typescript-eslint where they catch real bugs (promises nobody
// awaits, exhaustive switches over our unions, conditions the types say are constant), Prettier for layout.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['node_modules/', 'dist/', 'out/', 'test-results/', 'playwright-report/', '.vite/'] },

  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Each file is checked with the tsconfig that owns it (shared/ and renderer/ have their own).
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/no-unnecessary-condition': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // An async function without await still turns a throw into a rejection, which IPC handlers, commands and
      // the fakes of async interfaces rely on; dropping `async` to please the rule would lose that.
      '@typescript-eslint/require-await': 'off',
      // zod's `z` export is one object holding all of zod, its 40-odd locales included, so a bundle that takes it
      // keeps them all (the CLI's zod chunk went from 197 KB to 755 KB, and `verify` loads it); the namespace
      // import lets esbuild keep only the schemas used.
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier[imported.name='z']",
          message: "import * as z from 'zod' (see eslint.config.js)",
        },
      ],
    },
  },

  // Tests read untyped data on purpose (JSON answers, parsed files, mocks) and let expect() be the check;
  // typing each answer first would only restate the assertion that follows it.
  {
    files: ['**/*.test.ts', '**/*.test.tsx', 'test/**', 'e2e/**'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // expect(fake.method).toHaveBeenCalled() passes a method without calling it; no `this` is lost.
      '@typescript-eslint/unbound-method': 'off',
      // afterAll(() => server?.close()) guards what a failed beforeAll left unset, which the types cannot say.
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
  {
    // Playwright reads a fixture's first parameter and requires it to be a destructuring pattern, even `{}`.
    files: ['e2e/**'],
    rules: { 'no-empty-pattern': 'off' },
  },

  // The two hook rules that catch real bugs (hooks called conditionally, effects reading stale values). The plugin's
  // React Compiler rules are left out: this renderer is not compiled by it, and they would restructure its effects.
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },

  // Plain JavaScript (build scripts, the CLI launcher) is outside every tsconfig: lint it without types.
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },

  // Layout belongs to Prettier: this turns off every stylistic rule that would fight it.
  prettier,
  {
    rules: {
      // Prettier wraps code at 120 but cannot wrap everything; this catches what it leaves over. Long messages,
      // URLs, patterns and comments stay whole, so a user-facing sentence is never split to please a linter.
      'max-len': [
        'error',
        {
          code: 120,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
          ignoreUrls: true,
          ignoreComments: true,
        },
      ],
    },
  },
);

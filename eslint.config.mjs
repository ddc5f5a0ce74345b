// One flat config for the whole workspace. Each project's `lint` target runs
// `eslint .` from its own folder and ESLint finds this file by walking up.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-plugin-prettier/recommended';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import i18next from 'eslint-plugin-i18next';
import tseslint from 'typescript-eslint';

// Packages that would drag I/O, a framework or a UI into the pure layers.
const frameworkImports = [
  '@nestjs/*',
  'bullmq',
  'ioredis',
  'socket.io*',
  'react*',
  'next*',
  'recharts',
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.next/**',
      '**/.nx/**',
      '**/.data/**',
      '**/.reports/**',
      '**/coverage/**',
      '**/next-env.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.cjs', '*.mjs', 'scripts/*.mjs', 'scripts/lib/*.mjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'scope:contracts',
              onlyDependOnLibsWithTags: [],
              allowedExternalImports: ['zod'],
              bannedExternalImports: frameworkImports,
            },
            {
              sourceTag: 'scope:sim',
              onlyDependOnLibsWithTags: ['scope:contracts'],
              bannedExternalImports: frameworkImports,
            },
            {
              sourceTag: 'scope:scenario-files',
              onlyDependOnLibsWithTags: ['scope:contracts'],
              bannedExternalImports: frameworkImports,
            },
            {
              sourceTag: 'scope:api',
              onlyDependOnLibsWithTags: ['scope:sim', 'scope:contracts', 'scope:scenario-files'],
            },
            {
              sourceTag: 'scope:cli',
              onlyDependOnLibsWithTags: ['scope:sim', 'scope:contracts', 'scope:scenario-files'],
            },
            { sourceTag: 'scope:web', onlyDependOnLibsWithTags: ['scope:contracts'] },
            {
              sourceTag: 'scope:tools',
              onlyDependOnLibsWithTags: ['scope:sim', 'scope:contracts'],
            },
          ],
        },
      ],
    },
  },
  {
    // NestJS: decorators and constructor injection need runtime imports of
    // classes, so type-only import enforcement would break dependency injection.
    files: ['apps/api/**/*.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    files: ['apps/web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // The dashboard speaks English, Simplified and Traditional Chinese: words a person reads come
    // from apps/web/messages through next-intl, never from a literal in a component. Flagged:
    // text in JSX, and strings in the attributes people read (labels, titles, hover help,
    // placeholders) or in expressions inside JSX. Not flagged: strings with no letter (icons,
    // figures), strings a prop's type allows literally (`variant="default"`), and code outside JSX
    // (ids, keys, class names) — words built outside JSX are caught by review, not by this rule.
    files: ['apps/web/{src,app}/**/*.tsx'],
    ignores: ['apps/web/**/*.spec.tsx'],
    plugins: { i18next },
    rules: {
      'i18next/no-literal-string': [
        'error',
        {
          mode: 'jsx-only',
          'jsx-attributes': {
            include: [
              'label',
              'title',
              'aria-label',
              'aria-description',
              'aria-valuetext',
              'placeholder',
              'alt',
              'description',
              'error',
              'tooltip',
              'message',
              'emptyMessage',
              'nothingFoundMessage',
            ],
            exclude: ['.*'],
          },
          words: { exclude: ['[^\\p{L}]*', '[A-Z0-9_:./-]+'].map((p) => new RegExp(`^${p}$`, 'u')) },
          message: 'a word for people outside the message files (apps/web/messages)',
        },
      ],
    },
  },
  {
    files: ['**/*.{js,cjs,mjs}'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tool configuration (jest, next) reaches shared presets by path; it is not project code.
    files: ['**/*.{cjs,mjs}'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  prettier,
);

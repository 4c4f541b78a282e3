import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'web/dist/', '.tmp/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Protocol parsers match CR, LF, NUL and other control bytes on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    // Plain Node scripts: TypeScript is not there to know Node's globals, and no-undef would flag them.
    files: ['**/*.js'],
    rules: { 'no-undef': 'off' },
  },
  {
    // Tests and the admin UI read JSON of many shapes; `any` there is a note, not an error.
    files: ['test/**/*.ts', 'web/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'warn' },
  },
);

// ESLint for the UI: TypeScript's recommended rules and React's hooks rules (rules of hooks,
// exhaustive dependencies, and the React Compiler's checks). `npm run lint`; `npm run build` runs it.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  reactHooks.configs.flat['recommended-latest'],
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      // A dependency warning is a bug waiting: fail on it.
      'react-hooks/exhaustive-deps': 'error',
      // `_name` marks what is left out on purpose (destructuring a key away).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);

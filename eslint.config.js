// ESLint (flat config): typed linting of every TypeScript source with the project's tsconfig.json, run
// by `npm run lint` after prettier and tsc. An async daemon must not drop a rejected promise: hence
// no-floating-promises (await it, or `void` it with a comment where fire-and-forget is meant and its
// errors are handled) and no-misused-promises (no promise where a boolean or a void callback is
// expected). typescript-eslint's other recommended type-checked rules are on as well, except those
// turned off below, each with its reason.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // schema-validator.ts is generated (daemon/config/schema-codegen.ts).
  { ignores: ['dist/', 'build/', 'node_modules/', '.lab/', 'daemon/config/schema-validator.ts'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // A generator cannot be an arrow function: `const self = this` is how it reaches its object.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['self'] }],
      // tsc already reports unused locals and parameters (noUnusedLocals, noUnusedParameters).
      '@typescript-eslint/no-unused-vars': 'off',
      // Methods are async to implement a Promise-returning interface even when they need no await.
      '@typescript-eslint/require-await': 'off',
      // Not adopted (yet): each would change code in many places for no promise-safety gain. Tests
      // hand methods around unbound and read JSON (`any`) from tools and files; some `!` are redundant.
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
);

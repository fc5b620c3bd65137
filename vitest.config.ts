import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  // 'nabla', 'nabla/node' and 'nabla/testing' name the sources, as tsconfig.json's paths do for
  // tsc and tsx, so examples import the package by name and still run from a clone
  resolve: {
    alias: [
      { find: /^nabla$/, replacement: source('./src/index.ts') },
      { find: /^nabla\/node$/, replacement: source('./src/node.ts') },
      { find: /^nabla\/testing$/, replacement: source('./src/testing/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    typecheck: { enabled: false },
    testTimeout: 60_000,
    pool: 'forks',
  },
})

import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

// `npm run demo` serves this folder; 'nabla' is the library's sources, as in tsconfig.json's paths
export default defineConfig({
  root: source('.'),
  resolve: { alias: [{ find: /^nabla$/, replacement: source('../src/index.ts') }] },
  // cross-origin isolation lets the page use SharedArrayBuffer (for threads inside a worker)
  server: {
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
  },
})

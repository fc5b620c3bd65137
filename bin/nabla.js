#!/usr/bin/env node
// The `nabla` command: runs the compiled CLI (dist/src/cli/main.js, after `npm run build`) when it
// exists, and otherwise the TypeScript source through tsx (a development dependency).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const compiled = new URL('../dist/src/cli/main.js', import.meta.url)
let cli
if (existsSync(fileURLToPath(compiled))) cli = await import(compiled.href)
else {
  const { register } = await import('tsx/esm/api')
  register()
  cli = await import(new URL('../src/cli/main.ts', import.meta.url).href)
}
const status = await cli.main(process.argv.slice(2))
// the kernels' helper threads must not keep a finished command alive
process.stdout.write('', () => process.exit(status))

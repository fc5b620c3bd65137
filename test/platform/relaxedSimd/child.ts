/** Runs validates.ts, bundled once, in a fresh Node: shared by relaxedSimd.test.ts and v8Flags.test.ts. */
import { spawnSync } from 'node:child_process'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { bundledScript } from '../../support/childScripts.js'

const here = path.dirname(fileURLToPath(import.meta.url))

/** Runs relaxedSimd/validates.ts (bundled once) in a fresh Node with `mode` and the setting. */
export const validatesInChild = (
  mode: 'enable' | 'set',
  setting?: string,
): { before: boolean; returned: boolean; again?: boolean; after: boolean } => {
  const script = bundledScript(path.join(here, 'validates.ts'))
  const env = { ...process.env }
  delete env.NABLA_RELAXED_SIMD
  if (setting !== undefined) env.NABLA_RELAXED_SIMD = setting
  const r = spawnSync(process.execPath, [script, mode], { encoding: 'utf8', env })
  expect(r.status, r.stderr).toBe(0)
  return JSON.parse(r.stdout)
}

/**
 * Tests of atomic writes: contents, overwrites, clean failure, and — the point — a child process
 * killed with SIGKILL in the middle of saving leaves the previous file complete and loadable.
 */
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { FileError, readFileChecked, writeFileAtomic, writeFileAtomicSync } from '../../src/models/fs.js'
import { loadParams } from '../../src/models/serialize/files.js'
import { toFlat } from '../../src/tensor/index.js'

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-fs-'))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))
const temps = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))

describe('writeFileAtomicSync / writeFileAtomic', () => {
  it('writes and overwrites whole contents, leaving no temporary file', async () => {
    const file = path.join(root, 'a.txt')
    writeFileAtomicSync(file, 'first')
    writeFileAtomicSync(file, new Uint8Array([104, 105]))
    expect(fs.readFileSync(file, 'utf8')).toBe('hi')
    await writeFileAtomic(file, 'third')
    expect(fs.readFileSync(file, 'utf8')).toBe('third')
    expect(temps(root)).toEqual([])
  })
  it('fails with a FileError, cleans up, and leaves the target untouched', async () => {
    const missing = path.join(root, 'nope', 'a.txt')
    expect(() => writeFileAtomicSync(missing, 'x')).toThrow(FileError)
    await expect(writeFileAtomic(missing, 'x')).rejects.toThrow(/cannot write .*a.txt: ENOENT/)
    const dir = path.join(root, 'target-is-dir')
    fs.mkdirSync(dir)
    expect(() => writeFileAtomicSync(dir, 'x', 'saveParams')).toThrow(/saveParams: cannot write/)
    expect(fs.statSync(dir).isDirectory()).toBe(true)
    expect(temps(root)).toEqual([])
  })
  it('readFileChecked names the path and the system error code', () => {
    try {
      readFileChecked('loadParams', path.join(root, 'missing'))
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(FileError)
      expect((error as FileError).code).toBe('ENOENT')
      expect((error as FileError).path).toBe(path.join(root, 'missing'))
    }
  })
})

describe('a crash mid-write', () => {
  const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url))
  const files = fileURLToPath(new URL('../../src/models/serialize/files.ts', import.meta.url))
  const tensors = fileURLToPath(new URL('../../src/tensor/index.ts', import.meta.url))
  const size = 1 << 20

  /** A child that saves { w: full(size, k + 0.123456789) } for k = 0, 1, 2, … forever. */
  const childScript = (target: string): string => `
    import { saveParams } from ${JSON.stringify(files)}
    import { full } from ${JSON.stringify(tensors)}
    for (let k = 0; ; k++) {
      saveParams(${JSON.stringify(target)}, { w: full([${size}], k + 0.123456789, { dtype: 'float64' }) })
      if (k === 0) process.stdout.write('saved\\n')
    }
  `

  /** Starts the child, waits for its first save, kills it with SIGKILL once a temp file exists. */
  const crashOnce = async (dir: string, target: string): Promise<boolean> => {
    const script = path.join(dir, 'writer.ts')
    fs.writeFileSync(script, childScript(target))
    const child = spawn(tsx, [script], { stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => resolve())
      child.on('exit', (code) => reject(new Error(`writer exited with ${code} before saving`)))
    })
    for (;;) {
      const temp = temps(dir)[0]
      if (temp !== undefined && fs.statSync(path.join(dir, temp), { throwIfNoEntry: false })?.size) break
      await new Promise((resolve) => setImmediate(resolve))
    }
    child.kill('SIGKILL')
    await exited
    return temps(dir).length > 0
  }

  it('leaves the previous file complete and loadable', async () => {
    let killedMidWrite = false
    for (let attempt = 0; attempt < 5 && !killedMidWrite; attempt++) {
      const dir = fs.mkdtempSync(path.join(root, 'crash-'))
      const target = path.join(dir, 'params.json')
      killedMidWrite = await crashOnce(dir, target)
      const params = loadParams(target, { w: { shape: [size], dtype: 'float64' } })
      const values = toFlat(params.w)
      // one whole version k: every value is k + 0.123456789 for the same integer k
      const k = Math.round(values[0]! - 0.123456789)
      expect(values[0]).toBe(k + 0.123456789)
      expect(values.every((v) => v === values[0])).toBe(true)
    }
    expect(killedMidWrite).toBe(true)
  })
})

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
import { toFlat } from '../../src/io/index.js'
import { FileError, readFileChecked, writeFileAtomic, writeFileAtomicSync } from '../../src/models/fs.js'
import { loadParams } from '../../src/models/serialize/files.js'

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
  const files = fileURLToPath(new URL('../../src/models/serialize/files.ts', import.meta.url))
  const tensors = fileURLToPath(new URL('../../src/tensor/index.ts', import.meta.url))
  const size = 1 << 16

  /**
   * A child that saves { w: full(size, k + 0.123456789) } for k = 0, 1, 2, … with saveParams.
   * From the second save on, node:fs's writeSync writes half of its bytes, says "mid-write" and
   * blocks, so the SIGKILL that follows lands inside the write every time (no timing race).
   */
  const childScript = (target: string): string => `
    import { createRequire, syncBuiltinESMExports } from 'node:module'
    import { saveParams } from ${JSON.stringify(files)}
    import { full } from ${JSON.stringify(tensors)}
    const fs = createRequire(import.meta.url)('node:fs')
    const writeSync = fs.writeSync
    let armed = false
    fs.writeSync = (fd, buffer, offset, length, ...rest) => {
      if (!armed) return writeSync(fd, buffer, offset, length, ...rest)
      writeSync(fd, buffer, offset, Math.floor(length / 2))
      writeSync(1, 'mid-write\\n')
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)
    }
    syncBuiltinESMExports()
    for (let k = 0; ; k++) {
      armed = k > 0
      saveParams(${JSON.stringify(target)}, { w: full([${size}], k + 0.123456789, { dtype: 'float64' }) })
    }
  `

  it('leaves the previous file complete and loadable, and the torn temporary file unused', async () => {
    const dir = fs.mkdtempSync(path.join(root, 'crash-'))
    const target = path.join(dir, 'params.json')
    const script = path.join(dir, 'writer.ts')
    fs.writeFileSync(script, childScript(target))
    // node itself with tsx's loader, so the process killed is the writer (the tsx CLI would fork it)
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_, signal) => resolve(signal)),
    )
    await new Promise<void>((resolve, reject) => {
      let output = ''
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        if (output.includes('mid-write')) resolve()
      })
      child.on('exit', (code) => reject(new Error(`writer exited with ${code} before writing`)))
    })
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')
    child.stdout.destroy()

    // the kill landed mid-write: a torn temporary file is left, and it is not valid JSON
    const [temp, ...others] = temps(dir)
    expect(others).toEqual([])
    const torn = fs.readFileSync(path.join(dir, temp!), 'utf8')
    expect(torn.length).toBeGreaterThan(0)
    expect(() => JSON.parse(torn)).toThrow(SyntaxError)
    // the target is the complete previous version
    const params = loadParams(target, { w: { shape: [size], dtype: 'float64' } })
    expect(toFlat(params.w).every((v) => v === 0.123456789)).toBe(true)
    expect(fs.statSync(target).size).toBeGreaterThan(torn.length)
  })
})

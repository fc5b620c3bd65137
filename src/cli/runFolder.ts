/**
 * A run folder written as one unit. `nabla train` checks `--out` before it trains (a file there,
 * or an earlier run without `--force`, is refused at once), takes a lock beside it so a second
 * training into the same folder is refused, and at the end writes every file into a fresh
 * temporary folder next to `--out` and renames that folder into place: a reader sees the old run or
 * the new one, never new parameters beside old metrics.
 *
 * Replacing a run (`--force`) takes two renames: the old folder aside, the new one in. A crash
 * between them leaves the old run intact as `.<name>.old-<id>` beside the missing `--out`.
 *
 * @module cli/runFolder
 */
import { randomUUID } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { FileError, toFileError } from '../models/fs.js'
import { UsageError } from './args.js'

/**
 * Checks `--out` before any work: it must not be a file, and must not hold an earlier run unless
 * `force` is set.
 * @example
 * import { checkOut } from './runFolder.js'
 * checkOut('train', 'runs/iris', false)
 */
export const checkOut = (command: string, out: string, force: boolean): void => {
  let stat: fs.Stats
  try {
    stat = fs.statSync(out)
  } catch {
    return // nothing there yet
  }
  if (!stat.isDirectory())
    throw new UsageError(command, `--out ${out} is a file, not a folder; name a folder for the run`)
  if (!force && fs.readdirSync(out).length > 0)
    throw new UsageError(
      command,
      `--out ${out} already holds a run; pass --force to replace it, or name another folder`,
    )
}

/**
 * A lock on a run folder, released once the run is written (or training failed).
 * @example
 * import { lockRun } from './runFolder.js'
 * const lock = lockRun('train', 'runs/iris')
 * lock.release()
 */
export interface RunLock {
  readonly file: string
  release(): void
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM'
  }
}

/**
 * Takes the lock of a run folder: the file `.<name>.lock` beside it, created exclusively, holding
 * the process id. A lock whose process is gone (a killed training) is taken over; a live one is a
 * `FileError` naming the lock file.
 * @example
 * import { lockRun } from './runFolder.js'
 * const lock = lockRun('train', 'runs/iris')
 */
export const lockRun = (command: string, out: string): RunLock => {
  const parent = path.dirname(path.resolve(out))
  const file = path.join(parent, `.${path.basename(path.resolve(out))}.lock`)
  try {
    fs.mkdirSync(parent, { recursive: true })
  } catch (error) {
    throw toFileError(command, 'create the folder', parent, error)
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' })
      let released = false
      return {
        file,
        release: () => {
          if (released) return
          released = true
          fs.rmSync(file, { force: true })
        },
      }
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw toFileError(command, 'create', file, error)
      const owner = Number.parseInt(fs.readFileSync(file, 'utf8'), 10)
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner))
        throw new FileError(
          command,
          `another training (process ${owner}) is writing ${out}; wait for it, or remove ${file} if it is gone`,
          file,
          'EEXIST',
        )
      fs.rmSync(file, { force: true }) // a stale lock: its training was killed
    }
  }
  throw new FileError(command, `cannot take the lock ${file}`, file)
}

const fsyncPath = (target: string): void => {
  const fd = fs.openSync(target, 'r')
  try {
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Writes a run folder as one unit: `write(dir)` fills a fresh temporary folder beside `out`, whose
 * files are then flushed and which is renamed to `out` (an earlier run there is moved aside first
 * and removed after). If `write` throws, the temporary folder is removed and `out` is untouched.
 * @example
 * import { writeFileSync } from 'node:fs'
 * import { join } from 'node:path'
 * import { writeRunFolder } from './runFolder.js'
 * writeRunFolder('train', 'runs/xor', (dir) => writeFileSync(join(dir, 'metrics.json'), '{}'))
 */
export const writeRunFolder = (command: string, out: string, write: (dir: string) => void): void => {
  const target = path.resolve(out)
  const parent = path.dirname(target)
  const id = randomUUID().slice(0, 8)
  const temp = path.join(parent, `.${path.basename(target)}.tmp-${id}`)
  try {
    fs.mkdirSync(temp, { recursive: true })
    write(temp)
    for (const name of fs.readdirSync(temp)) fsyncPath(path.join(temp, name))
    fsyncPath(temp)
  } catch (error) {
    fs.rmSync(temp, { recursive: true, force: true })
    throw error instanceof FileError ? error : toFileError(command, 'write the run into', temp, error)
  }
  const old = path.join(parent, `.${path.basename(target)}.old-${id}`)
  let moved = false
  try {
    if (fs.existsSync(target)) {
      fs.renameSync(target, old)
      moved = true
    }
    fs.renameSync(temp, target)
    fsyncPath(parent)
  } catch (error) {
    if (moved && !fs.existsSync(target)) fs.renameSync(old, target)
    fs.rmSync(temp, { recursive: true, force: true })
    throw toFileError(command, 'rename the run into', target, error)
  }
  if (moved) fs.rmSync(old, { recursive: true, force: true })
}

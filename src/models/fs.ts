/**
 * Atomic file writes: a file is either its previous complete contents or its new complete
 * contents, never a half-written mix, even when the process is killed mid-write or the machine
 * loses power.
 *
 * The protocol: write the bytes to a temporary file in the same directory (so the rename stays on
 * one file system), `fsync` it, `rename` it over the target (atomic on POSIX file systems and on
 * NTFS), then `fsync` the directory so the rename itself is durable. A crash before the rename
 * leaves the target untouched and at worst a stale `.<name>.<random>.tmp` file beside it; a crash
 * after it leaves the new file.
 *
 * @module fs
 */
import { randomUUID } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { budgetProblem, memoryBudget, NablaError, ResourceError } from '../tensor/internal.js'

/**
 * A file could not be read or written; `path` names the file and `code` is the system error code
 * (`ENOENT`, `EACCES`, …) when there is one.
 *
 * @example
 * import { FileError } from 'nabla/node'
 * const e = new FileError('loadParams', 'cannot read params.json: ENOENT', 'params.json', 'ENOENT')
 * e.code // 'ENOENT'
 */
export class FileError extends NablaError {
  /** The file that failed. */
  readonly path: string
  /** The system error code, if any. */
  readonly code: string | undefined
  constructor(op: string, message: string, path: string, code?: string) {
    super(op, message)
    this.path = path
    this.code = code
  }
}

const errorCode = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : undefined

/**
 * Turns a system error into a `FileError` naming the operation, what was being done and the path.
 *
 * @example
 * import { toFileError } from './fs.js'
 * toFileError('loadParams', 'read', 'x.json', Object.assign(new Error('nope'), { code: 'ENOENT' })).message
 * // 'loadParams: cannot read x.json: ENOENT'
 */
export const toFileError = (op: string, action: string, file: string, error: unknown): FileError => {
  if (error instanceof FileError) return error
  const code = errorCode(error)
  const detail = code ?? (error instanceof Error ? error.message : String(error))
  return new FileError(op, `cannot ${action} ${file}: ${detail}`, file, code)
}

const tempPathFor = (target: string): string =>
  path.join(path.dirname(target), `.${path.basename(target)}.${randomUUID().slice(0, 8)}.tmp`)

/** Makes the rename durable; a no-op where directories cannot be opened (Windows). */
const fsyncDirectory = (dir: string): void => {
  let fd: number | undefined
  try {
    fd = fs.openSync(dir, 'r')
    fs.fsyncSync(fd)
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}

const toBytes = (data: string | Uint8Array): Uint8Array =>
  typeof data === 'string' ? Buffer.from(data, 'utf8') : data

/**
 * Writes `data` to `file` atomically (temporary file in the same directory, `fsync`, `rename`).
 * On failure the temporary file is removed and a `FileError` is thrown; the target is untouched.
 *
 * @example
 * import { writeFileAtomicSync } from './fs.js'
 * writeFileAtomicSync('/tmp/params.json', '{"format":"nabla-params"}')
 */
export const writeFileAtomicSync = (
  file: string,
  data: string | Uint8Array,
  op = 'writeFileAtomic',
): void => {
  const bytes = toBytes(data)
  const temp = tempPathFor(file)
  let fd: number | undefined
  try {
    fd = fs.openSync(temp, 'wx', 0o644)
    let written = 0
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written)
    fs.fsyncSync(fd)
    fs.closeSync(fd)
    fd = undefined
    fs.renameSync(temp, file)
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd)
    fs.rmSync(temp, { force: true })
    throw toFileError(op, 'write', file, error)
  }
  fsyncDirectory(path.dirname(file))
}

/**
 * The asynchronous twin of `writeFileAtomicSync`, with the same guarantees.
 *
 * @example
 * import { writeFileAtomic } from './fs.js'
 * await writeFileAtomic('/tmp/metrics.json', JSON.stringify({ accuracy: 0.94 }))
 */
export const writeFileAtomic = async (
  file: string,
  data: string | Uint8Array,
  op = 'writeFileAtomic',
): Promise<void> => {
  const bytes = toBytes(data)
  const temp = tempPathFor(file)
  let handle: fs.promises.FileHandle | undefined
  try {
    handle = await fs.promises.open(temp, 'wx', 0o644)
    let written = 0
    while (written < bytes.length)
      written += (await handle.write(bytes, written, bytes.length - written)).bytesWritten
    await handle.sync()
    await handle.close()
    handle = undefined
    await fs.promises.rename(temp, file)
  } catch (error) {
    if (handle !== undefined) await handle.close()
    await fs.promises.rm(temp, { force: true })
    throw toFileError(op, 'write', file, error)
  }
  fsyncDirectory(path.dirname(file))
}

/**
 * Reads a whole file, turning system errors into a `FileError` that names the path. A file larger
 * than the memory budget is a `ResourceError` naming it and its size, before any of it is read.
 *
 * @example
 * import { readFileChecked } from './fs.js'
 * readFileChecked('loadParams', '/tmp/params.json') // a Buffer, or FileError('… ENOENT')
 */
export const readFileChecked = (op: string, file: string): Buffer => {
  try {
    const size = fs.statSync(file).size
    const problem = budgetProblem(size)
    if (problem !== undefined)
      throw new ResourceError(op, `${file}: reading the file ${problem}`, size, memoryBudget())
    return fs.readFileSync(file)
  } catch (error) {
    if (error instanceof ResourceError) throw error
    throw toFileError(op, 'read', file, error)
  }
}

/**
 * Child-process script of the memory soak (not a test file): decodes the IDX file named by its
 * argument and prints one JSON line: `{ "accepted": shape }`, or the error's class and message.
 * Exit status: 0 accepted, 3 a typed NablaError, 1 anything else (a crash prints nothing useful).
 */
import { readFileSync } from 'node:fs'
import { readIdx } from '../../../src/models/data/idx.js'
import { memoryBudget, NablaError } from '../../../src/tensor/index.js'

const file = process.argv[2] ?? ''
try {
  const array = readIdx(readFileSync(file))
  process.stdout.write(`${JSON.stringify({ accepted: array.shape, budget: memoryBudget() })}\n`)
  process.exitCode = 0
} catch (error) {
  const typed = error instanceof NablaError
  process.stdout.write(
    `${JSON.stringify({
      error: typed ? error.constructor.name : String((error as Error)?.name),
      message: (error as Error)?.message,
      budget: memoryBudget(),
    })}\n`,
  )
  process.exitCode = typed ? 3 : 1
}

/**
 * Doc-comment examples, checked: extracts every `@example` block from src/**.ts into its own module
 * (with `'nabla'`, `'nabla/node'` and `'nabla/testing'` mapped to the sources) under `.doc-examples/`, and
 * type-checks them all with `tsc`. `npx tsx scripts/doc-examples.ts` prints the failures;
 * test/docs/examples.test.ts runs the same check in `npm test`.
 *
 * @module scripts/doc-examples
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root. */
export const root = fileURLToPath(new URL('..', import.meta.url))

/** One extracted example: where it came from and its code. */
export interface DocExample {
  readonly file: string
  readonly line: number
  readonly code: string
}

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : []
  })

/** Every `@example` block of every doc comment under src/. */
export const extractExamples = (): DocExample[] =>
  sourceFiles(join(root, 'src')).flatMap((file) => {
    const text = readFileSync(file, 'utf8')
    const examples: DocExample[] = []
    for (const match of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
      const block = match[1] ?? ''
      const at = block.indexOf('@example')
      if (at < 0) continue
      const lines: string[] = []
      for (const raw of block.slice(at + '@example'.length).split('\n')) {
        const line = raw.replace(/^\s*\* ?/, '')
        if (line.startsWith('@')) break
        lines.push(line)
      }
      const code = lines.join('\n').trim()
      if (code === '') continue
      const line = text.slice(0, (match.index ?? 0) + at).split('\n').length
      examples.push({ file: relative(root, file), line, code })
    }
    return examples
  })

let calls = 0

/** Type-checks all examples; returns tsc's error lines mapped back to `file:line` of the comment. */
export const checkExamples = (examples: readonly DocExample[] = extractExamples()): string[] => {
  // a folder of its own per call, so concurrent checks never share files
  const dir = join(root, '.doc-examples', `${process.pid}-${calls++}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const toSource = (path: string): string => relative(dir, join(root, 'src', path))
  examples.forEach((example, i) => {
    const sourceDir = dirname(join(root, example.file))
    const code = example.code
      // relative imports (examples of internal modules) resolve against the documented file
      .replace(
        /from '(\.\.?\/[^']+)'/g,
        (_, specifier: string) => `from '${relative(dir, join(sourceDir, specifier))}'`,
      )
      .replaceAll("from 'nabla/testing'", `from '${toSource('testing/index.js')}'`)
      .replaceAll("from 'nabla/node'", `from '${toSource('node.js')}'`)
      .replaceAll("from 'nabla'", `from '${toSource('index.js')}'`)
    writeFileSync(join(dir, `example${i}.ts`), `export {}\n${code}\n`)
  })
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: relative(dir, join(root, 'tsconfig.json')),
      compilerOptions: { noEmit: true, rootDir: relative(dir, root), noUnusedLocals: false },
      include: ['./*.ts'],
    }),
  )
  try {
    execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(dir, 'tsconfig.json')], {
      encoding: 'utf8',
    })
    return []
  } catch (error) {
    const output = String((error as { stdout?: string }).stdout ?? error)
    return output
      .split('\n')
      .filter((l) => /error TS/.test(l))
      .map((l) => {
        const index = Number(/example(\d+)\.ts/.exec(l)?.[1] ?? -1)
        const example = examples[index]
        return example === undefined
          ? l
          : `${example.file}:${example.line}: ${l.replace(/^.*?error /, 'error ')}`
      })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const failures = checkExamples()
  for (const f of failures) console.log(f)
  console.log(`${failures.length} type errors in doc-comment examples`)
}

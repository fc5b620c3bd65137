/**
 * The command table and its error handling: help lists every command (the graph command too),
 * unknown commands and bad flags exit 2 with one line, failures exit 1 with one line naming the
 * command once; and the `bin/nabla.js` shim runs the CLI in a child process.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { commands, mainHelp } from '../../src/cli/main.js'
import { runChild, runInProcess } from './run.js'

describe('nabla', () => {
  it('prints the version of package.json for --version and -v', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
    for (const flag of ['--version', '-v']) {
      const r = await runInProcess([flag])
      expect([r.status, r.stdout, r.stderr]).toEqual([0, `nabla ${version}\n`, ''])
    }
  })

  it('lists every command in its help', async () => {
    expect(Object.keys(commands).sort()).toEqual(['eval', 'export', 'gradcheck', 'graph', 'predict', 'train'])
    const r = await runInProcess(['--help'])
    expect(r.status).toBe(0)
    expect(r.stdout).toBe(mainHelp())
    for (const name of Object.keys(commands)) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'))
    expect((await runInProcess([])).status).toBe(2)
  })

  it('shows a command help through help <command> and <command> --help', async () => {
    const a = await runInProcess(['help', 'train'])
    const b = await runInProcess(['train', '--help'])
    expect(a.status).toBe(0)
    expect(a.stdout).toBe(b.stdout)
    expect(a.stdout).toMatch(/^Usage: nabla train/)
    expect(a.stdout).toContain('--optimizer')
  })

  it('exits 2 with one line on an unknown command or a bad flag', async () => {
    const unknown = await runInProcess(['frobnicate'])
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toBe(
      "nabla: unknown command 'frobnicate' (commands: train, eval, predict, gradcheck, graph, export; see nabla --help)\n",
    )
    for (const argv of [
      ['train', '--bogus'],
      ['train', '--epochs', '0'],
      ['train', '--batch', '1.5'],
      ['train', '--lr', 'NaN'],
      ['train', '--dataset', 'cifar'],
      ['eval'],
      ['predict', '--params', 'x.json'],
      ['gradcheck', '--mode', 'exact'],
    ]) {
      const r = await runInProcess(argv)
      expect(r.status, argv.join(' ')).toBe(2)
      expect(r.stderr.split('\n')).toHaveLength(2) // one line and the final newline
      expect(r.stderr).toMatch(new RegExp(`^nabla ${argv[0]}: .* \\(see nabla ${argv[0]} --help\\)\\n$`))
      expect(r.stdout).toBe('')
    }
  })

  it('exits 1 with one line naming the command once when the work fails', async () => {
    const r = await runInProcess(['eval', '--params', '/nonexistent/params.json'])
    expect(r.status).toBe(1)
    expect(r.stderr).toBe('nabla eval: loadRun: cannot read /nonexistent/params.json: ENOENT\n')
  })

  it('runs through bin/nabla.js in a child process', () => {
    const help = runChild(['--help'], 'bin/nabla.js')
    expect(help.status).toBe(0)
    expect(help.stdout).toBe(mainHelp())
    const bad = runChild(['train', '--bogus'], 'bin/nabla.js')
    expect(bad.status).toBe(2)
    expect(bad.stderr).toBe("nabla train: unknown option '--bogus' (see nabla train --help)\n")
  })
})

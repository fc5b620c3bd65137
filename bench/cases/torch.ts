/**
 * PyTorch as an optional peer: when Debian's `python3-torch` is installed (`/usr/bin/python3 -c
 * 'import torch'` works), a Python script measures the MLP step, the chain and the fused
 * elementwise case on one thread (`torch.set_num_threads(1)`), with the same sizes, and its
 * figures join the table as `torch 1 thread (BLAS <its BLAS_INFO>)`, with a note when that is the
 * reference BLAS (Debian's build: ~4 GFLOP/s matrix products, so its MLP figure is not PyTorch at its
 * best). Otherwise the run prints a note and goes on.
 *
 * @module bench/cases/torch
 */
import { spawnSync } from 'node:child_process'
import type { Result } from '../measure.js'

const script = (quick: boolean) => `
import time, json, torch
torch.set_num_threads(1)
torch.manual_seed(0)
def measure(fn, unit_work, seconds=${quick ? 0.3 : 1.5}):
    for _ in range(3): fn()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn(); n += 1
    return (time.perf_counter() - start) / n / unit_work
out = {}
x = torch.rand(128, 784); y = torch.nn.functional.one_hot(torch.randint(0, 10, (128,)), 10).float()
w1 = (torch.rand(784, 128) - 0.5) * 0.1; b1 = torch.zeros(128); w2 = (torch.rand(128, 10) - 0.5) * 0.4; b2 = torch.zeros(10)
ps = [w1.requires_grad_(), b1.requires_grad_(), w2.requires_grad_(), b2.requires_grad_()]
def step():
    h = torch.relu(x @ ps[0] + ps[1]); logits = h @ ps[2] + ps[3]
    loss = -(torch.log_softmax(logits, -1) * y).sum(-1).mean()
    gs = torch.autograd.grad(loss, ps)
    with torch.no_grad():
        for p, g in zip(ps, gs): p.sub_(g * 0.01)
out['mlp'] = 1 / measure(step, 1)
x0 = torch.tensor([0.1, -0.2, 0.3, 0.4], requires_grad=True)
def chain():
    t = x0
    for i in range(1000):
        k = i % 4
        t = torch.sin(t) if k == 0 else t * 1.01 if k == 1 else torch.tanh(t) if k == 2 else t + 0.5
    torch.autograd.grad(t.sum(), x0)
out['chain'] = measure(chain, 1000) * 1e6
xs = [torch.rand(1000000) * 2 - 1 for _ in range(4)]
out['fused'] = measure(lambda: torch.tanh(xs[0] * xs[1] + xs[2]) * xs[3], 1) * 1e6
import re
found = re.search(r'BLAS_INFO=([^,s]+)', torch.__config__.show())
out['blas'] = found.group(1) if found else 'unknown'
print(json.dumps(out))
`

/** PyTorch's figures for the named cases, or a note saying why there are none. */
export const torchResults = (
  quick: boolean,
  names: { readonly mlp: string; readonly chain: string; readonly fused: string },
): { readonly results: Result[]; readonly note?: string } => {
  const python = '/usr/bin/python3'
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' })
  if (probe.status !== 0)
    return {
      results: [],
      note: 'PyTorch peer skipped: /usr/bin/python3 cannot import torch (apt install python3-torch)',
    }
  const run = spawnSync(python, ['-c', script(quick)], { encoding: 'utf8', timeout: 300_000 })
  if (run.status !== 0)
    return { results: [], note: `PyTorch peer failed: ${run.stderr.trim().split('\n').at(-1)}` }
  const figures = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
    mlp: number
    chain: number
    fused: number
    blas: string
  }
  // Debian's python3-torch is built against the reference BLAS (BLAS_INFO=generic): its matrix
  // products run at a few GFLOP/s, far below a PyTorch wheel with MKL, so say which build it is
  const impl = `torch 1 thread (BLAS ${figures.blas})`
  const result = (name: string, value: number, unit: string): Result => ({
    case: name,
    impl,
    median: value,
    min: value,
    max: value,
    unit,
  })
  return {
    ...(figures.blas === 'generic'
      ? {
          note: "the PyTorch peer is built with the reference BLAS (BLAS_INFO=generic, as Debian's python3-torch is): its matrix products run at a few GFLOP/s, so its MLP step is far below a PyTorch wheel's with MKL; the chain and fused cases do not depend on BLAS",
        }
      : {}),
    results: [
      result(names.mlp, figures.mlp, 'steps/s'),
      result(names.chain, figures.chain, 'µs/op'),
      result(names.fused, figures.fused, 'µs'),
    ],
  }
}

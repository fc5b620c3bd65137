import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import wabtInit from 'wabt'
import {
  buildModule,
  FunctionBuilder,
  laneOps,
  memoryOps,
  plainOps,
  signedLeb128,
  unsignedLeb128,
} from '../../../../src/tensor/kernels/wasm/encoder.js'

const decodeUnsigned = (bytes: readonly number[]): number => {
  let value = 0
  let scale = 1
  for (const b of bytes) {
    value += (b & 0x7f) * scale
    scale *= 128
  }
  return value
}

const decodeSigned = (bytes: readonly number[]): number => {
  let value = 0
  let shift = 0
  for (const b of bytes) {
    value |= (b & 0x7f) << shift
    shift += 7
  }
  const last = bytes.at(-1)!
  return shift < 32 && (last & 0x40) !== 0 ? value | (-1 << shift) : value
}

const wabtReady = wabtInit()

/** The code-section body of the only function of a module assembled by wabt. */
const wabtBody = async (instructions: string): Promise<number[]> => {
  const wabt = await wabtReady
  const parsed = wabt.parseWat('t.wat', `(module (memory 1) (func ${instructions}))`, {
    simd: true,
    relaxed_simd: true,
  })
  const bytes = [...parsed.toBinary({}).buffer]
  parsed.destroy()
  // walk the sections to the code section; its only body is: size, "no locals", code, end
  let at = 8
  const readUnsigned = () => {
    const start = at
    while ((bytes[at]! & 0x80) !== 0) at++
    at++
    return decodeUnsigned(bytes.slice(start, at))
  }
  for (;;) {
    const id = bytes[at++]!
    const size = readUnsigned()
    if (id !== 10) {
      at += size
      continue
    }
    readUnsigned() // one function
    const bodySize = readUnsigned()
    return bytes.slice(at + 1, at + bodySize - 1)
  }
}

const ourBody = (build: (f: FunctionBuilder) => void): number[] => {
  const f = new FunctionBuilder([])
  build(f)
  const encoded = f.encode()
  const size = decodeUnsigned(encoded.slice(0, encoded.findIndex((b) => (b & 0x80) === 0) + 1))
  const body = encoded.slice(encoded.length - size)
  return body.slice(1, -1) // drop "no locals" and the final end
}

describe('LEB128', () => {
  it('unsigned encodings decode back, with 7 bits per byte and no trailing zero byte', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n) => {
        const bytes = unsignedLeb128(n)
        return decodeUnsigned(bytes) === n && bytes.length === Math.max(1, Math.ceil(Math.log2(n + 1) / 7))
      }),
      { seed: 501, numRuns: 500 },
    )
  })
  it('signed encodings of 32-bit integers decode back', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        (n) => decodeSigned(signedLeb128(n)) === n,
      ),
      { seed: 502, numRuns: 500 },
    )
  })
  it('matches the specification examples', () => {
    expect(unsignedLeb128(624485)).toEqual([0xe5, 0x8e, 0x26])
    expect(signedLeb128(-123456)).toEqual([0xc0, 0xbb, 0x78])
  })
})

describe('instructions', () => {
  it('encode every plain instruction as wabt does', async () => {
    for (const name of Object.keys(plainOps) as (keyof typeof plainOps)[])
      expect([name, ourBody((f) => f.op(name))]).toEqual([name, await wabtBody(name)])
  })
  it('encode memory instructions with natural alignment and an offset as wabt does', async () => {
    for (const name of Object.keys(memoryOps) as (keyof typeof memoryOps)[])
      for (const offset of [0, 16, 300])
        expect([name, ourBody((f) => f.mem(name, offset))]).toEqual([
          name,
          await wabtBody(`${name} offset=${offset}`),
        ])
  })
  it('encode lane instructions, shuffles, constants, locals and control as wabt does', async () => {
    for (const name of Object.keys(laneOps) as (keyof typeof laneOps)[])
      expect(ourBody((f) => f.lane(name, 1))).toEqual(await wabtBody(`${name} 1`))
    const bytes = [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 31, 30, 29, 28]
    expect(ourBody((f) => f.shuffle(bytes))).toEqual(await wabtBody(`i8x16.shuffle ${bytes.join(' ')}`))
    expect(() => new FunctionBuilder([]).shuffle([...bytes.slice(1), 32])).toThrow(/16 byte indices in 0–31/)
    expect(() => new FunctionBuilder([]).shuffle(bytes.slice(1))).toThrow(/16 byte indices/)
    expect(ourBody((f) => f.i32(-5).i32(1000000))).toEqual(await wabtBody('i32.const -5 i32.const 1000000'))
    expect(ourBody((f) => f.f32(1.5).f64(-0.25))).toEqual(await wabtBody('f32.const 1.5 f64.const -0.25'))
    expect(ourBody((f) => f.get(3).set(200).tee(1))).toEqual(
      await wabtBody('local.get 3 local.set 200 local.tee 1'),
    )
    expect(
      ourBody((f) => f.block().loop().br(1).brIf(0).end().end().if().br(0).else().br(0).end().call(2)),
    ).toEqual(await wabtBody('block loop br 1 br_if 0 end end if br 0 else br 0 end call 2'))
  })
})

describe('buildModule', () => {
  it('builds modules that validate and run, with locals grouped by type', () => {
    const add = new FunctionBuilder(['i32', 'i32'], ['i32'])
    const t = add.local('i32')
    add.local('f64')
    add.local('f64')
    add.get(0).get(1).op('i32.add').tee(t)
    const twice = new FunctionBuilder(['i32'], ['i32'])
    twice.get(0).get(0).call(0)
    const bytes = buildModule({ initial: 1, maximum: 2, shared: false }, [
      { name: 'add', body: add },
      { name: 'twice', body: twice },
    ])
    const api = (globalThis as any).WebAssembly
    expect(api.validate(bytes)).toBe(true)
    const memory = new api.Memory({ initial: 1, maximum: 2 })
    const { exports } = new api.Instance(new api.Module(bytes), { env: { memory } })
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 }), (x, y) => {
        return exports.add(x, y) === x + y && exports.twice(x) === 2 * x
      }),
      { seed: 503, numRuns: 100 },
    )
  })
})

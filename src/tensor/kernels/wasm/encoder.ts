/**
 * A small WebAssembly assembler: just enough of the binary format (LEB128 numbers, the type,
 * import, function, export and code sections, structured control, scalar and SIMD instructions)
 * for nabla to emit its kernels from TypeScript at load time. No build step, no committed binary
 * and no run-time dependency: `buildModule` returns the bytes `new WebAssembly.Module` compiles.
 *
 * Instructions are written on a `FunctionBuilder` in stack-machine order, exactly as in the text
 * format: `f.get(x).get(y).op('f32x4.add')` is `(f32x4.add (local.get $x) (local.get $y))`.
 *
 * @module kernels/wasm/encoder
 */

/** A WebAssembly value type. */
export type ValType = 'i32' | 'f32' | 'f64' | 'v128'

const valTypeCode: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b }

/**
 * Unsigned LEB128 encoding of a non-negative integer below 2^53.
 *
 * @example
 * import { unsignedLeb128 } from './encoder.js'
 * unsignedLeb128(624485) // [0xe5, 0x8e, 0x26]
 */
export const unsignedLeb128 = (value: number): number[] => {
  const bytes: number[] = []
  let rest = value
  do {
    const low = rest % 128
    rest = Math.floor(rest / 128)
    bytes.push(rest > 0 ? low | 0x80 : low)
  } while (rest > 0)
  return bytes
}

/**
 * Signed LEB128 encoding of a 32-bit integer (as `i32.const` takes it).
 *
 * @example
 * import { signedLeb128 } from './encoder.js'
 * signedLeb128(-123456) // [0xc0, 0xbb, 0x78]
 */
export const signedLeb128 = (value: number): number[] => {
  const bytes: number[] = []
  let rest = value | 0
  for (;;) {
    const low = rest & 0x7f
    rest >>= 7
    const done = (rest === 0 && (low & 0x40) === 0) || (rest === -1 && (low & 0x40) !== 0)
    bytes.push(done ? low : low | 0x80)
    if (done) return bytes
  }
}

const simd = (code: number): number[] => [0xfd, ...unsignedLeb128(code)]

/** Instructions without immediates, by their text-format name. */
export const plainOps = {
  'i32.eqz': [0x45],
  'i32.eq': [0x46],
  'i32.ne': [0x47],
  'i32.lt_s': [0x48],
  'i32.lt_u': [0x49],
  'i32.gt_s': [0x4a],
  'i32.gt_u': [0x4b],
  'i32.le_s': [0x4c],
  'i32.le_u': [0x4d],
  'i32.ge_s': [0x4e],
  'i32.ge_u': [0x4f],
  'i32.add': [0x6a],
  'i32.sub': [0x6b],
  'i32.mul': [0x6c],
  'i32.div_u': [0x6e],
  'i32.and': [0x71],
  'i32.or': [0x72],
  'i32.shl': [0x74],
  'i32.shr_u': [0x76],
  'f32.add': [0x92],
  'f32.lt': [0x5d],
  'f32.gt': [0x5e],
  'f32.ne': [0x5c],
  'f64.add': [0xa0],
  'f64.lt': [0x63],
  'f64.gt': [0x64],
  'f64.ne': [0x62],
  'f64.promote_f32': [0xbb],
  'f32.demote_f64': [0xb6],
  select: [0x1b],
  drop: [0x1a],
  return: [0x0f],
  'f32x4.splat': simd(0x13),
  'f64x2.splat': simd(0x14),
  'f32x4.eq': simd(0x41),
  'f32x4.ne': simd(0x42),
  'f32x4.lt': simd(0x43),
  'f32x4.gt': simd(0x44),
  'f32x4.le': simd(0x45),
  'f32x4.ge': simd(0x46),
  'f64x2.eq': simd(0x47),
  'f64x2.ne': simd(0x48),
  'f64x2.lt': simd(0x49),
  'f64x2.gt': simd(0x4a),
  'f64x2.le': simd(0x4b),
  'f64x2.ge': simd(0x4c),
  'v128.not': simd(0x4d),
  'v128.and': simd(0x4e),
  'v128.andnot': simd(0x4f),
  'v128.or': simd(0x50),
  'v128.xor': simd(0x51),
  'v128.bitselect': simd(0x52),
  'f64x2.promote_low_f32x4': simd(0x5f),
  'f32x4.abs': simd(0xe0),
  'f32x4.neg': simd(0xe1),
  'f32x4.sqrt': simd(0xe3),
  'f32x4.add': simd(0xe4),
  'f32x4.sub': simd(0xe5),
  'f32x4.mul': simd(0xe6),
  'f32x4.div': simd(0xe7),
  'f32x4.min': simd(0xe8),
  'f32x4.max': simd(0xe9),
  'f64x2.abs': simd(0xec),
  'f64x2.neg': simd(0xed),
  'f64x2.sqrt': simd(0xef),
  'f64x2.add': simd(0xf0),
  'f64x2.sub': simd(0xf1),
  'f64x2.mul': simd(0xf2),
  'f64x2.div': simd(0xf3),
  'f64x2.min': simd(0xf4),
  'f64x2.max': simd(0xf5),
  'f32x4.relaxed_madd': simd(0x105),
  'f64x2.relaxed_madd': simd(0x107),
} as const satisfies Record<string, readonly number[]>

/** The name of an instruction without immediates. */
export type PlainOp = keyof typeof plainOps

/** Memory instructions: opcode bytes and natural alignment (log2 bytes). */
export const memoryOps = {
  'i32.load': { code: [0x28], align: 2 },
  'f32.load': { code: [0x2a], align: 2 },
  'f64.load': { code: [0x2b], align: 3 },
  'i32.store': { code: [0x36], align: 2 },
  'f32.store': { code: [0x38], align: 2 },
  'f64.store': { code: [0x39], align: 3 },
  'v128.load': { code: simd(0x00), align: 4 },
  'v128.load32_splat': { code: simd(0x09), align: 2 },
  'v128.load64_splat': { code: simd(0x0a), align: 3 },
  'v128.store': { code: simd(0x0b), align: 4 },
  'v128.load64_zero': { code: simd(0x5d), align: 3 },
  'i64.load': { code: [0x29], align: 3 },
  'i64.store': { code: [0x37], align: 3 },
} as const satisfies Record<string, { code: readonly number[]; align: number }>

/** The name of a memory instruction. */
export type MemoryOp = keyof typeof memoryOps

/** Lane instructions (one lane-index immediate). */
export const laneOps = {
  'f32x4.extract_lane': simd(0x1f),
  'f64x2.extract_lane': simd(0x21),
} as const satisfies Record<string, readonly number[]>

/** The name of a lane instruction. */
export type LaneOp = keyof typeof laneOps

/**
 * Builds one function body. Parameters are locals `0 … params.length − 1`; `local(type)` adds
 * more. Every method appends one instruction and returns the builder.
 *
 * @example
 * import { FunctionBuilder } from './encoder.js'
 * const f = new FunctionBuilder(['i32', 'i32'], ['i32'])
 * f.get(0).get(1).op('i32.add') // (i32.add (local.get 0) (local.get 1))
 */
export class FunctionBuilder {
  readonly params: readonly ValType[]
  readonly results: readonly ValType[]
  readonly #locals: ValType[] = []
  readonly #code: number[] = []

  constructor(params: readonly ValType[], results: readonly ValType[] = []) {
    this.params = params
    this.results = results
  }

  /** Declares a local; returns its index. */
  local(type: ValType): number {
    this.#locals.push(type)
    return this.params.length + this.#locals.length - 1
  }

  /** `local.get` */
  get(index: number): this {
    return this.#emit(0x20, ...unsignedLeb128(index))
  }

  /** `local.set` */
  set(index: number): this {
    return this.#emit(0x21, ...unsignedLeb128(index))
  }

  /** `local.tee` */
  tee(index: number): this {
    return this.#emit(0x22, ...unsignedLeb128(index))
  }

  /** `i32.const` */
  i32(value: number): this {
    return this.#emit(0x41, ...signedLeb128(value))
  }

  /** `f32.const` */
  f32(value: number): this {
    const bytes = new Uint8Array(new Float32Array([value]).buffer)
    return this.#emit(0x43, ...bytes)
  }

  /** `f64.const` */
  f64(value: number): this {
    const bytes = new Uint8Array(new Float64Array([value]).buffer)
    return this.#emit(0x44, ...bytes)
  }

  /** An instruction without immediates. */
  op(name: PlainOp): this {
    return this.#emit(...plainOps[name])
  }

  /** A load or store at `offset` bytes past the address on the stack. */
  mem(name: MemoryOp, offset = 0): this {
    const { code, align } = memoryOps[name]
    return this.#emit(...code, align, ...unsignedLeb128(offset))
  }

  /** A lane instruction. */
  lane(name: LaneOp, lane: number): this {
    return this.#emit(...laneOps[name], lane)
  }

  /** `i8x16.shuffle`: byte `i` of the result is byte `lanes[i]` of the two vectors (0–15 the first, 16–31 the second). */
  shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16 || lanes.some((l) => !Number.isInteger(l) || l < 0 || l > 31))
      throw new Error(`i8x16.shuffle takes 16 byte indices in 0–31, got [${lanes.join(', ')}]`)
    return this.#emit(...simd(0x0d), ...lanes)
  }

  /** `block` (no result). */
  block(): this {
    return this.#emit(0x02, 0x40)
  }

  /** `loop` (no result). */
  loop(): this {
    return this.#emit(0x03, 0x40)
  }

  /** `if` (no result). */
  if(): this {
    return this.#emit(0x04, 0x40)
  }

  /** `else` */
  else(): this {
    return this.#emit(0x05)
  }

  /** `end` of a block, loop or if. */
  end(): this {
    return this.#emit(0x0b)
  }

  /** `call` of the function at `index` (functions are numbered in the order they are passed). */
  call(index: number): this {
    return this.#emit(0x10, ...unsignedLeb128(index))
  }

  /** `br` to the label `depth` levels out. */
  br(depth: number): this {
    return this.#emit(0x0c, ...unsignedLeb128(depth))
  }

  /** `br_if` to the label `depth` levels out. */
  brIf(depth: number): this {
    return this.#emit(0x0d, ...unsignedLeb128(depth))
  }

  /** The encoded body: local declarations, code and the final `end`. */
  encode(): number[] {
    const groups: [number, ValType][] = []
    for (const type of this.#locals) {
      const last = groups.at(-1)
      if (last !== undefined && last[1] === type) last[0]++
      else groups.push([1, type])
    }
    const locals = groups.flatMap(([count, type]) => [...unsignedLeb128(count), valTypeCode[type]])
    const body = [...unsignedLeb128(groups.length), ...locals, ...this.#code, 0x0b]
    return [...unsignedLeb128(body.length), ...body]
  }

  #emit(...bytes: readonly number[]): this {
    for (const b of bytes) this.#code.push(b)
    return this
  }
}

/** An exported function of a module. */
export interface ExportedFunction {
  readonly name: string
  readonly body: FunctionBuilder
}

/** The memory a module imports as `env.memory`. */
export interface MemoryImport {
  readonly initial: number
  readonly maximum: number
  readonly shared: boolean
}

const utf8 = (text: string): number[] => {
  const bytes = [...new TextEncoder().encode(text)]
  return [...unsignedLeb128(bytes.length), ...bytes]
}

const vector = (items: readonly (readonly number[])[]): number[] => [
  ...unsignedLeb128(items.length),
  ...items.flat(),
]

const section = (id: number, content: readonly number[]): number[] => [
  id,
  ...unsignedLeb128(content.length),
  ...content,
]

/**
 * Encodes a module that imports one memory as `env.memory` and exports the given functions.
 *
 * @example
 * import { webAssembly } from './api.js'
 * import { buildModule, FunctionBuilder } from './encoder.js'
 * const add = new FunctionBuilder(['i32', 'i32'], ['i32'])
 * add.get(0).get(1).op('i32.add')
 * const bytes = buildModule({ initial: 1, maximum: 1, shared: false }, [{ name: 'add', body: add }])
 * webAssembly?.validate(bytes) // true
 */
export const buildModule = (memory: MemoryImport, functions: readonly ExportedFunction[]): Uint8Array => {
  const signatures: string[] = []
  const typeIndex = functions.map(({ body }) => {
    const key = `${body.params.join(',')}->${body.results.join(',')}`
    const found = signatures.indexOf(key)
    if (found >= 0) return found
    signatures.push(key)
    return signatures.length - 1
  })
  const types = signatures.map((key) => {
    const [params, results] = key.split('->') as [string, string]
    const list = (s: string) => vector(s === '' ? [] : s.split(',').map((t) => [valTypeCode[t as ValType]]))
    return [0x60, ...list(params), ...list(results)]
  })
  const limits = [
    memory.shared ? 0x03 : 0x01,
    ...unsignedLeb128(memory.initial),
    ...unsignedLeb128(memory.maximum),
  ]
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(2, vector([[...utf8('env'), ...utf8('memory'), 0x02, ...limits]])),
    ...section(3, vector(typeIndex.map((i) => unsignedLeb128(i)))),
    ...section(7, vector(functions.map(({ name }, i) => [...utf8(name), 0x00, ...unsignedLeb128(i)]))),
    ...section(10, vector(functions.map(({ body }) => body.encode()))),
  ]
  return new Uint8Array(bytes)
}

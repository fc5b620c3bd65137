import { describe, expect, it } from 'vitest'
import { allocate, defaultDType, isDType, storageFrom } from '../../src/tensor/dtype.js'

describe('dtype', () => {
  it('float32 is the default; only float32 and float64 are dtypes', () => {
    expect(defaultDType).toBe('float32')
    expect(isDType('float32')).toBe(true)
    expect(isDType('float64')).toBe(true)
    expect(isDType('int32')).toBe(false)
    expect(isDType(undefined)).toBe(false)
  })

  it('allocates zeroed storage and copies values into fresh storage of the dtype', () => {
    expect(allocate('float64', 3)).toEqual(new Float64Array(3))
    expect(allocate('float32', 2)).toBeInstanceOf(Float32Array)
    const source = [0.1, 2]
    const s = storageFrom('float32', source)
    source[0] = 5
    expect(Array.from(s)).toEqual([Math.fround(0.1), 2])
    expect(storageFrom('float64', [0.1])).toBeInstanceOf(Float64Array)
  })
})

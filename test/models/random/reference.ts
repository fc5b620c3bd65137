/** Test support for the random tests: an independent Threefry-2x32-20. */

/** Threefry-2x32-20 written independently with BigInt arithmetic, straight from the paper. */
export const threefryReference = (
  k: readonly [number, number],
  c: readonly [number, number],
): [number, number] => {
  const mask = 0xffffffffn
  const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (32n - r))) & mask
  const ks = [BigInt(k[0]), BigInt(k[1]), BigInt(k[0]) ^ BigInt(k[1]) ^ 0x1bd11bdan]
  const R = [13n, 15n, 26n, 6n, 17n, 29n, 16n, 24n]
  let x0 = (BigInt(c[0]) + ks[0]!) & mask
  let x1 = (BigInt(c[1]) + ks[1]!) & mask
  for (let round = 0; round < 20; round++) {
    x0 = (x0 + x1) & mask
    x1 = rotl(x1, R[round % 8]!) ^ x0
    if (round % 4 === 3) {
      const s = BigInt(round + 1) / 4n
      x0 = (x0 + ks[Number(s % 3n)]!) & mask
      x1 = (x1 + ks[Number((s + 1n) % 3n)]! + s) & mask
    }
  }
  return [Number(x0), Number(x1)]
}

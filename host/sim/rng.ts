/**
 * Seeded deterministic pseudo-random numbers for the simulator: the same seed gives the same
 * run, bit for bit, on any machine (only 32-bit integer arithmetic and IEEE double division).
 *
 * Generator: sfc32 (Chris Doty-Humphrey's "small fast counting" generator, PractRand-tested;
 * public domain), seeded through splitmix32 so that nearby seeds give unrelated streams.
 */

/** A seeded random stream. Plain object, so a run's state is explicit and copyable. */
export interface Rng {
  /** The four 32-bit words of sfc32's state. */
  a: number;
  b: number;
  c: number;
  d: number;
  /** Second Box–Muller normal kept for the next call to `gaussian` (NaN when none is kept). */
  spareNormal: number;
}

/** Warm-up draws after seeding so the first outputs are already well mixed (sfc32 reference: 12). */
const SFC32_WARMUP_DRAWS = 12;

/** 2^32, to turn a uint32 into a fraction in [0, 1). */
const UINT32_RANGE = 4294967296;

function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Create a stream from a seed (any finite number; its integer part and fractional bits are
 * folded into 32 bits). Throws on a non-finite seed.
 */
export function createRng(seed: number): Rng {
  if (typeof seed !== "number" || !isFinite(seed)) {
    throw new Error(`rng seed must be a finite number, got ${String(seed)}; e.g. createRng(42)`);
  }
  const lo = seed | 0;
  const hi = Math.floor(seed / UINT32_RANGE) | 0;
  const s0 = splitmix32(lo ^ 0x1234567);
  const s1 = splitmix32(s0 ^ hi);
  const s2 = splitmix32(s1 + 0x6a09e667);
  const s3 = splitmix32(s2 ^ 0x3c6ef372);
  const rng: Rng = { a: s0, b: s1, c: s2, d: s3 || 1, spareNormal: NaN };
  for (let i = 0; i < SFC32_WARMUP_DRAWS; i++) nextUint32(rng);
  return rng;
}

/** Next uint32 of the stream. */
export function nextUint32(r: Rng): number {
  const t = (((r.a + r.b) | 0) + r.d) | 0;
  r.d = (r.d + 1) | 0;
  r.a = r.b ^ (r.b >>> 9);
  r.b = (r.c + (r.c << 3)) | 0;
  r.c = (r.c << 21) | (r.c >>> 11);
  r.c = (r.c + t) | 0;
  return t >>> 0;
}

/** Uniform fraction in [0, 1). */
export function uniform(r: Rng): number {
  return nextUint32(r) / UINT32_RANGE;
}

/** Uniform number in [lo, hi). */
export function uniformIn(r: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * uniform(r);
}

/** Standard normal (mean 0, sd 1), Box–Muller (polar form avoided: fixed draw count per pair). */
export function gaussian(r: Rng): number {
  if (!isNaN(r.spareNormal)) {
    const v = r.spareNormal;
    r.spareNormal = NaN;
    return v;
  }
  // 1 - u keeps the log argument in (0, 1].
  const u1 = 1 - uniform(r);
  const u2 = uniform(r);
  const mag = Math.sqrt(-2 * Math.log(u1));
  r.spareNormal = mag * Math.sin(2 * Math.PI * u2);
  return mag * Math.cos(2 * Math.PI * u2);
}

/** Normal with the given mean and standard deviation. */
export function normal(r: Rng, mean: number, sd: number): number {
  return mean + sd * gaussian(r);
}

/**
 * A child stream derived from this one (consumes one draw): lets independent parts of a run
 * (pack build, each sensor, protocol randomisation) each own a stream, so adding draws in one
 * part does not shift another's numbers.
 */
export function forkRng(r: Rng, label: number): Rng {
  return createRng((nextUint32(r) ^ Math.imul(label | 0, 0x27d4eb2d)) >>> 0);
}

/** Exact copy of a stream's state (to replay a run from a point). */
export function cloneRng(r: Rng): Rng {
  return { a: r.a, b: r.b, c: r.c, d: r.d, spareNormal: r.spareNormal };
}

/**
 * Seeded pseudo-random numbers, so every random step of cger (synthetic data, fold splits,
 * bootstrap samples) is reproducible from a seed: mulberry32 for uniforms, Box-Muller for normals.
 */
export interface Rng {
  /** Uniform on [0, 1). */
  next(): number;
  /** Integer uniform on [0, n). */
  int(n: number): number;
  /** Standard normal. */
  normal(): number;
  /**
   * Adds 1 to `counts[int(counts.length)]`, `draws` times (a bootstrap sample's multiplicities):
   * the same stream as that many `int` calls, without a call per draw.
   */
  addCounts(draws: number, counts: Float64Array): void;
}

/** Mixes integers into one 32-bit seed (for derived streams such as "tree t of fold k"). */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/**
 * mulberry32 uniforms, Box-Muller normals. A class (not closures per instance) so that hot loops
 * calling `int` on many generators, one per tree, see a single call target.
 */
class Mulberry32 implements Rng {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = mixSeed(Math.floor(seed)) >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  addCounts(draws: number, counts: Float64Array): void {
    const n = counts.length;
    let state = this.state;
    for (let s = 0; s < draws; s++) {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      counts[Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)] += 1;
    }
    this.state = state;
  }

  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(a);
    return r * Math.cos(a);
  }
}

export function createRng(seed: number): Rng {
  return new Mulberry32(seed);
}

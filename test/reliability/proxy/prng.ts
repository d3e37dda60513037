/**
 * Seeded, order-independent randomness. A draw depends only on (seed, key): the n-th call of an
 * operation meets the same fate in every run with the same seed, however the installer's
 * concurrent steps interleave their other calls.
 */

/** FNV-1a over the UTF-16 code units: a 32-bit hash that is fast and good enough to seed a mixer. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32's output function: spreads a 32-bit state evenly over [0, 1). */
function mix(state: number): number {
  let t = (state + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}

/** A number in [0, 1) fixed by the seed and the key. */
export function draw(seed: number, key: string): number {
  return mix(fnv1a(`${seed}:${key}`));
}

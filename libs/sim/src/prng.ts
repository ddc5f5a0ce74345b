/**
 * Counter-based randomness: every draw is a hash of (seed, VM key, time
 * window, stream). No generator state is stored, so a VM's draws do not depend
 * on how many other VMs exist or their order, and a state round-tripped
 * through JSON draws exactly the same numbers.
 */

/** FNV-1a over a string's UTF-16 units: a stable 32-bit key for a name. */
export function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's 32-bit finalizer. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) from the four coordinates. */
export function draw(seed: number, key: number, counter: number, stream: number): number {
  let h = mix((seed ^ 0x9e3779b9) >>> 0);
  h = mix((h ^ key) >>> 0);
  h = mix((h ^ Math.imul(counter | 0, 0x27d4eb2d)) >>> 0);
  h = mix((h ^ Math.imul(stream + 1, 0x165667b1)) >>> 0);
  return h / 4294967296;
}

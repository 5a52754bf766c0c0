// gallery.js: choosing test images for the gallery, DOM-free (tested
// with node --test). The engine holds the test split; getSample(index)
// returns one sample ({image, pixels, label, count}).

/** createRng is a seeded pseudo-random source (mulberry32): next() in [0, 1). */
export function createRng(seed) {
  let a = seed >>> 0;
  return {
    next() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
    /** int is a whole number in [0, n). */
    int(n) {
      return Math.floor(this.next() * n);
    },
  };
}

/**
 * findOfClass looks for up to want test samples of class k, scanning from
 * index start onwards (wrapping around) through count samples, and
 * resolves with [{index, sample}]. It stops after count samples when the
 * class is rarer than asked.
 */
export async function findOfClass(getSample, k, start, count, want) {
  const found = [];
  for (let n = 0; n < count && found.length < want; n++) {
    const index = (start + n) % count;
    const sample = await getSample(index);
    if (sample.label === k) found.push({ index, sample });
  }
  return found;
}

/** parseIndex reads a test index from the URL ("img"): a whole number in [0, count), else null. */
export function parseIndex(text, count) {
  if (text === null || text === undefined || !/^\d+$/.test(String(text))) return null;
  const i = Number(text);
  return i < count ? i : null;
}

// example.js: the example image the page ships for each data set
// (web/examples/<name>.json), which the first prediction uses before the
// test images have arrived: the gallery adopts it as its first pick, so
// the pad keeps the same picture when they do. Each file holds one test
// image of the packed data set, {split: "test", index, label, image: the
// H*W*C pixels (0..255) in base64}, copied from the packed data set
// (web/data/<name>/test-00-images.u8.gz, image index: Fashion-MNIST's 2, an
// ankle boot; MNIST's 0, a 7). TestFirstVisit checks each against that test
// image in the engine, so a repacked data set that moves it fails there.
//
// DOM-free, for node --test (example.test.js).

/** The largest image an example may hold (a 28x28x1 image is 784 bytes). */
export const MAX_EXAMPLE_PIXELS = 1 << 16;

/**
 * parseExample reads an example file's text and returns {index, label,
 * image: Uint8Array}, or throws an Error saying in one line what is wrong.
 */
export function parseExample(text) {
  let v;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new Error(`example: not JSON (${err.message})`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('example: want an object');
  if (v.split !== 'test') throw new Error(`example: split ${JSON.stringify(v.split)}, want "test"`);
  for (const k of ['index', 'label']) {
    if (!Number.isSafeInteger(v[k]) || v[k] < 0) throw new Error(`example: ${k} ${JSON.stringify(v[k])} is not a count from 0`);
  }
  if (typeof v.image !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v.image) || v.image.length % 4 !== 0) {
    throw new Error('example: image is not base64');
  }
  if ((v.image.length / 4) * 3 > MAX_EXAMPLE_PIXELS + 2) throw new Error(`example: image over ${MAX_EXAMPLE_PIXELS} pixels`);
  const bin = atob(v.image);
  if (bin.length === 0) throw new Error('example: image is empty');
  const image = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) image[i] = bin.charCodeAt(i);
  return { index: v.index, label: v.label, image };
}

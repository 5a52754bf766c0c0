// dataload.js: streams a packed data set (web/data/<name>/, made by
// `make data`) into the engine: the manifest first (loadDataset), then each
// chunk file (addChunk, in streamOrder), which the Go reader verifies by
// its SHA-256 and decodes. The
// next file downloads while the engine checks the last one; every chunk's
// bytes are transferred to the worker, not copied. The engine can train on
// the chunks it has while the rest arrive.
//
// DOM-free: it takes the protocol client and a fetch function, so
// dataload.test.js drives it with fakes.

/**
 * streamOrder is the order the chunk files download in, for a page that
 * can train on what has arrived: the test split's first chunk (the page's
 * first picture is a test image, and first chunks are small), the
 * validation split's first (a run started early validates on it from its
 * first epoch, so its curves mean something), the first training chunk
 * (training can start), the rest of the validation split, then training
 * and test chunks by turns (a run grows as its chunks arrive, and the
 * test split fills for evaluation meanwhile). Within a group the
 * manifest's order; a chunk is its images and labels files.
 *
 * @param {{name: string, split: string, kind?: string}[]} files the manifest's files
 * @returns {string[]} their names
 */
export function streamOrder(files) {
  const seen = new Map(); // split/kind -> chunks so far
  // [group, chunk number within its split (for the turns), turn, manifest index]
  const rank = (f, i) => {
    const key = `${f.split}/${f.kind}`;
    const k = seen.get(key) || 0;
    seen.set(key, k + 1);
    if (f.split === 'validation') return [k === 0 ? 1 : 3, 0, 0, i];
    const test = f.split === 'test';
    if (k === 0) return [test ? 0 : 2, 0, 0, i];
    return [4, k, test ? 1 : 0, i];
  };
  const cmp = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3];
  return files.map((f, i) => [rank(f, i), f.name]).sort((a, b) => cmp(a[0], b[0])).map((r) => r[1]);
}

/**
 * streamDataset loads data set `name` into the engine and resolves with the
 * loadDataset result plus the last addChunk's {available, complete}.
 * onInfo gets the loadDataset result (classes, counts, mean, std) as soon
 * as the engine has read the manifest; onProgress gets {loaded, total,
 * file, available, complete} after each chunk. A failed download or a chunk the engine refuses rejects with an
 * Error naming the file; the chunks loaded before stay in the engine.
 * onManifestSent is called as soon as the manifest is on its way to the
 * engine, before its reply: the engine answers in order, so a request that
 * needs the manifest can follow it at once rather than after a turn of
 * the page (core.js asks for the example's standardized pixels so).
 *
 * @param {{request: Function}} client
 * @param {string} name e.g. 'fashion'
 * @param {{fetch?: Function, base?: string, onInfo?: Function, onProgress?: Function, onManifestSent?: Function}} [options]
 */
export async function streamDataset(client, name, { fetch = globalThis.fetch, base = 'data/', onInfo = () => {}, onProgress = () => {}, onManifestSent = () => {} } = {}) {
  const dir = `${base}${name}/`;
  const get = async (file) => {
    const resp = await fetch(dir + file);
    // 504 "Offline" is the service worker's (sw.js): the file is not saved on this device.
    if (!resp.ok) {
      const offline = resp.status === 504;
      const err = new Error(`${dir}${file}: HTTP ${resp.status} (${offline ? 'offline, and not saved on this device' : 'run make data'})`);
      err.offline = offline; // the page says it in the student's language (app.js status.offlineMissing)
      throw err;
    }
    return resp;
  };
  const manifest = await (await get('manifest.json')).text();
  const sent = client.request('loadDataset', { manifest });
  onManifestSent();
  const info = await sent;
  onInfo(info);
  const files = streamOrder(info.files);
  const download = async (file) => new Uint8Array(await (await get(file)).arrayBuffer());
  let last = { available: null, complete: files.length === 0 };
  let next = files.length ? download(files[0]) : null;
  for (let i = 0; i < files.length; i++) {
    const bytes = await next;
    next = i + 1 < files.length ? download(files[i + 1]) : null;
    // A refused download ahead must not go unhandled while this one waits.
    if (next) next.catch(() => {});
    last = await client.request('addChunk', { name: files[i], bytes }, { transfer: [bytes.buffer] });
    onProgress({ loaded: i + 1, total: files.length, file: files[i], available: last.available, complete: last.complete });
  }
  return { ...info, available: last.available, complete: last.complete };
}

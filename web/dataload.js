// dataload.js: streams a packed data set (web/data/<name>/, made by
// `make data`) into the engine: the manifest first (loadDataset), then each
// chunk file (addChunk, the test split's first), which the Go reader
// verifies by its SHA-256. The
// next file downloads while the engine checks the last one; every chunk's
// bytes are transferred to the worker, not copied. The engine can train on
// the chunks it has while the rest arrive.
//
// DOM-free: it takes the protocol client and a fetch function, so
// dataload.test.js drives it with fakes.

/**
 * streamDataset loads data set `name` into the engine and resolves with the
 * loadDataset result plus the last addChunk's {available, complete}.
 * onInfo gets the loadDataset result (classes, counts, mean, std) as soon
 * as the engine has read the manifest; onProgress gets {loaded, total,
 * file, available, complete} after each chunk. A failed download or a chunk the engine refuses rejects with an
 * Error naming the file; the chunks loaded before stay in the engine.
 *
 * @param {{request: Function}} client
 * @param {string} name e.g. 'fashion'
 * @param {{fetch?: Function, base?: string, onInfo?: Function, onProgress?: Function}} [options]
 */
export async function streamDataset(client, name, { fetch = globalThis.fetch, base = 'data/', onInfo = () => {}, onProgress = () => {} } = {}) {
  const dir = `${base}${name}/`;
  const get = async (file) => {
    const resp = await fetch(dir + file);
    // 504 "Offline" is the service worker's (sw.js): the file is not saved on this device.
    if (!resp.ok) throw new Error(`${dir}${file}: HTTP ${resp.status} (${resp.status === 504 ? 'offline, and not saved on this device' : 'run make data'})`);
    return resp;
  };
  const manifest = await (await get('manifest.json')).text();
  const info = await client.request('loadDataset', { manifest });
  onInfo(info);
  // The test split first: the page's first picture is a test image, and its
  // 10,000 images arrive in a fraction of the time the whole set takes.
  // Then validation (one small chunk), so a run started early can validate
  // on it while the training chunks keep arriving; then the rest.
  const rank = (f) => (f.split === 'test' ? 0 : f.split === 'validation' ? 1 : 2);
  const files = info.files.map((f, i) => [rank(f), i, f.name]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((r) => r[2]);
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

// Unit tests of dataload.js with a fake client and a fake fetch, run by
// `make test-js`.
import test from 'node:test';
import assert from 'node:assert/strict';
import { streamDataset } from './dataload.js';

// fakeFetch serves files from a map of path -> string; others are 404.
function fakeFetch(files) {
  const fetched = [];
  const fetch = async (path) => {
    fetched.push(path);
    if (!(path in files)) return { ok: false, status: 404 };
    const body = files[path];
    return { ok: true, status: 200, text: async () => body, arrayBuffer: async () => new TextEncoder().encode(body).buffer };
  };
  return { fetch, fetched };
}

// fakeClient answers loadDataset with the manifest's files and addChunk by
// counting, refusing chunks named in `refuse`.
function fakeClient({ refuse = [] } = {}) {
  const calls = [];
  let n = 0;
  return {
    calls,
    async request(type, args, opts) {
      calls.push({ type, args, opts });
      if (type === 'loadDataset') return { name: 'tiny', files: JSON.parse(args.manifest).files };
      if (refuse.includes(args.name)) throw new Error(`dataset: ${args.name}: sha256 mismatch`);
      n++;
      return { file: args.name, available: { train: n }, complete: n === 3 };
    },
  };
}

const manifest = JSON.stringify({ files: [{ name: 'a.gz' }, { name: 'b.gz' }, { name: 'c.gz' }] });
const site = { 'data/tiny/manifest.json': manifest, 'data/tiny/a.gz': 'AA', 'data/tiny/b.gz': 'BBB', 'data/tiny/c.gz': 'C' };

test('streams the manifest, then every chunk in order, transferring the bytes', async () => {
  const { fetch, fetched } = fakeFetch(site);
  const client = fakeClient();
  const progress = [];
  const early = [];
  const info = await streamDataset(client, 'tiny', {
    fetch,
    onInfo: (i) => early.push([i.name, client.calls.length]),
    onProgress: (p) => progress.push(p),
  });
  assert.deepEqual(early, [['tiny', 1]], 'the manifest info comes before any chunk');
  assert.deepEqual(fetched, ['data/tiny/manifest.json', 'data/tiny/a.gz', 'data/tiny/b.gz', 'data/tiny/c.gz']);
  assert.deepEqual(client.calls.map((c) => c.type), ['loadDataset', 'addChunk', 'addChunk', 'addChunk']);
  assert.equal(client.calls[0].args.manifest, manifest);
  const chunk = client.calls[2];
  assert.equal(chunk.args.name, 'b.gz');
  assert.ok(chunk.args.bytes instanceof Uint8Array);
  assert.deepEqual([...chunk.args.bytes], [66, 66, 66]);
  assert.deepEqual(chunk.opts.transfer, [chunk.args.bytes.buffer]);
  assert.deepEqual(progress.map((p) => [p.loaded, p.total, p.file, p.complete]), [
    [1, 3, 'a.gz', false],
    [2, 3, 'b.gz', false],
    [3, 3, 'c.gz', true],
  ]);
  assert.equal(info.complete, true);
  assert.deepEqual(info.available, { train: 3 });
});

test('onManifestSent comes as soon as the manifest is posted, before the engine answers', async () => {
  const { fetch } = fakeFetch(site);
  const client = fakeClient();
  let answer;
  const request = client.request;
  client.request = (type, args, opts) => (type === 'loadDataset' ? new Promise((resolve) => (answer = () => resolve(request(type, args, opts)))) : request(type, args, opts));
  const order = [];
  const done = streamDataset(client, 'tiny', { fetch, onManifestSent: () => order.push('sent'), onInfo: () => order.push('info') });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(order, ['sent'], 'no reply yet: the engine still reads the manifest');
  answer();
  await done;
  assert.deepEqual(order, ['sent', 'info']);
});

test('the test split streams first, then validation, then the others in manifest order', async () => {
  const m = JSON.stringify({ files: [{ name: 'tr.gz', split: 'train' }, { name: 'va.gz', split: 'validation' }, { name: 'te.gz', split: 'test' }] });
  const { fetch, fetched } = fakeFetch({ 'data/tiny/manifest.json': m, 'data/tiny/tr.gz': 'T', 'data/tiny/va.gz': 'V', 'data/tiny/te.gz': 'E' });
  await streamDataset(fakeClient(), 'tiny', { fetch });
  assert.deepEqual(fetched, ['data/tiny/manifest.json', 'data/tiny/te.gz', 'data/tiny/va.gz', 'data/tiny/tr.gz']);
});

test('streamOrder: the first test, validation and training chunks, the rest of validation, then training and test by turns', async () => {
  const { streamOrder } = await import('./dataload.js');
  const files = [];
  const add = (split, n) => {
    for (let k = 0; k < n; k++) for (const kind of ['images', 'labels']) files.push({ name: `${split}-0${k}-${kind}`, split, kind });
  };
  add('train', 4);
  add('validation', 2);
  add('test', 2);
  assert.deepEqual(streamOrder(files), [
    'test-00-images', 'test-00-labels',
    'validation-00-images', 'validation-00-labels',
    'train-00-images', 'train-00-labels',
    'validation-01-images', 'validation-01-labels',
    'train-01-images', 'train-01-labels', 'test-01-images', 'test-01-labels',
    'train-02-images', 'train-02-labels', 'train-03-images', 'train-03-labels',
  ]);
});

test('a missing manifest names it and asks for make data', async () => {
  const { fetch } = fakeFetch({});
  await assert.rejects(streamDataset(fakeClient(), 'tiny', { fetch }), {
    message: 'data/tiny/manifest.json: HTTP 404 (run make data)',
  });
});

test('a missing chunk stops the stream after the chunks before it', async () => {
  const files = { ...site };
  delete files['data/tiny/c.gz'];
  const client = fakeClient();
  const progress = [];
  await assert.rejects(streamDataset(client, 'tiny', { fetch: fakeFetch(files).fetch, onProgress: (p) => progress.push(p.file) }), {
    message: 'data/tiny/c.gz: HTTP 404 (run make data)',
  });
  assert.deepEqual(progress, ['a.gz', 'b.gz']);
});

test('a chunk the engine refuses rejects with its error', async () => {
  const { fetch } = fakeFetch(site);
  const client = fakeClient({ refuse: ['b.gz'] });
  await assert.rejects(streamDataset(client, 'tiny', { fetch }), { message: 'dataset: b.gz: sha256 mismatch' });
  assert.deepEqual(client.calls.map((c) => c.args.name).slice(1), ['a.gz', 'b.gz']);
});

test('a data set without chunks is complete at once', async () => {
  const { fetch } = fakeFetch({ 'data/none/manifest.json': JSON.stringify({ files: [] }) });
  const info = await streamDataset(fakeClient(), 'none', { fetch });
  assert.equal(info.complete, true);
});

test('a chunk the service worker has not saved, offline, says so rather than asking for make data', async () => {
  const { fetch: online } = fakeFetch(site);
  const fetch = async (path) => (path.endsWith('/b.gz') ? { ok: false, status: 504 } : online(path));
  await assert.rejects(streamDataset(fakeClient(), 'tiny', { fetch }), {
    message: 'data/tiny/b.gz: HTTP 504 (offline, and not saved on this device)',
    offline: true,
  });
});

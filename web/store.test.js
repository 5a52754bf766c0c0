// Unit tests of store.js over the in-memory IndexedDB of idbfake.js, run by
// `make test-js`. The browser tests run it over Chromium's IndexedDB.
import test from 'node:test';
import assert from 'node:assert/strict';
import { fakeIndexedDB } from './idbfake.js';
import { openStore } from './store.js';

const model = (name, date, bytes = new Uint8Array([1, 2, 3])) => ({
  name,
  date,
  bytes,
  arch: 'Conv2D(8) → Dense(10)',
  dataset: 'Tiny',
  metrics: { loss: 0.5, accuracy: 0.75 },
});

test('save, list newest first, read the bytes back', async () => {
  const store = await openStore(fakeIndexedDB());
  assert.deepEqual(await store.list(), []);
  const a = await store.save(model('  first  ', 1000));
  assert.deepEqual(a, { id: 1, name: 'first', date: 1000, arch: 'Conv2D(8) → Dense(10)', dataset: 'Tiny', metrics: { loss: 0.5, accuracy: 0.75 }, size: 3 });
  const b = await store.save(model('second', 3000, new Uint8Array([9])));
  const c = await store.save(model('same date as the second, saved later', 3000));
  assert.deepEqual((await store.list()).map((r) => r.name), ['same date as the second, saved later', 'second', 'first']);
  assert.equal((await store.list())[0].id, c.id);
  assert.equal(b.id, 2);
  assert.deepEqual(await store.bytes(b.id), new Uint8Array([9]));
  assert.equal((await store.list())[0].bytes, undefined, 'the list holds no weights');
});

test('the stored bytes are a copy, only of the view', async () => {
  const store = await openStore(fakeIndexedDB());
  const buf = new Uint8Array([7, 8, 9, 10]);
  const view = buf.subarray(1, 3); // [8, 9] of a larger buffer
  const { id } = await store.save(model('view', 1, view));
  buf[1] = 0;
  const got = await store.bytes(id);
  assert.deepEqual(got, new Uint8Array([8, 9]));
  assert.equal(got.buffer.byteLength, 2);
});

test('remove deletes the record and the bytes; ids are not reused', async () => {
  const store = await openStore(fakeIndexedDB());
  const a = await store.save(model('a', 1));
  const b = await store.save(model('b', 2));
  await store.remove(b.id);
  assert.deepEqual((await store.list()).map((r) => r.id), [a.id]);
  await assert.rejects(store.bytes(b.id), { message: 'store: no saved model 2' });
  await store.remove(b.id); // deleting again is no error
  const c = await store.save(model('c', 3));
  assert.equal(c.id, 3);
});

test('saved models outlive the page: a new connection sees them', async () => {
  const idb = fakeIndexedDB();
  const first = await openStore(idb);
  await first.save(model('kept', 5));
  first.close();
  const again = await openStore(idb);
  assert.deepEqual((await again.list()).map((r) => r.name), ['kept']);
  assert.deepEqual(await again.bytes(1), new Uint8Array([1, 2, 3]));
  const other = await openStore(idb, 'another-db');
  assert.deepEqual(await other.list(), [], 'each database name is its own');
});

test('bad saves are refused and store nothing', async () => {
  const store = await openStore(fakeIndexedDB());
  const cases = [
    [{ ...model('x', 1), bytes: new Uint8Array(0) }, 'store: a saved model needs its .cpw bytes'],
    [{ ...model('x', 1), bytes: [1, 2] }, 'store: a saved model needs its .cpw bytes'],
    [{ ...model('x', 1), name: '   ' }, 'store: a saved model needs a name'],
    [{ ...model('x', 1), name: undefined }, 'store: a saved model needs a name'],
  ];
  for (const [m, message] of cases) await assert.rejects(store.save(m), { message });
  assert.deepEqual(await store.list(), []);
});

test('a failed write keeps neither half: the record goes with its bytes', async () => {
  const idb = fakeIndexedDB();
  const store = await openStore(idb);
  await store.save(model('before', 1));
  idb.failWrites('files');
  await assert.rejects(store.save(model('too big', 2)), { name: 'QuotaExceededError' });
  assert.deepEqual((await store.list()).map((r) => r.name), ['before'], 'the record was rolled back');
  idb.failWrites('files');
  await assert.rejects(store.remove(1), { name: 'QuotaExceededError' });
  assert.deepEqual(await store.bytes(1), new Uint8Array([1, 2, 3]), 'a failed delete keeps both');
  assert.equal((await store.list()).length, 1);
});

test('no IndexedDB: openStore says so', async () => {
  await assert.rejects(openStore(undefined), { message: 'store: this browser keeps no IndexedDB' });
});

test('the fake refuses what IndexedDB refuses', async () => {
  const idb = fakeIndexedDB();
  const store = await openStore(idb); // creates the stores
  store.close();
  const db = await new Promise((resolve) => {
    const req = idb.open('convplay', 1);
    req.onsuccess = () => resolve(req.result);
  });
  const ro = db.transaction('files', 'readonly');
  assert.throws(() => ro.objectStore('files').put(new Uint8Array(1), 1), { name: 'ReadOnlyError' });
  const tx = db.transaction('files', 'readwrite');
  await new Promise((resolve) => {
    tx.oncomplete = resolve;
  });
  assert.throws(() => tx.objectStore('files').put(new Uint8Array(1), 1), { name: 'TransactionInactiveError' });
});

// store.js: the models the user saves, kept in the browser's IndexedDB, so
// that neither closing the page nor a crashed engine loses them.
//
// The database "convplay" holds two object stores: "models", one record per
// saved model without its weights (what the page lists), and "files", the
// model's .cpw bytes under the same id, read only to load or download it. A
// save or a delete writes both in one transaction.
//
//	models record  {id, name, date, arch, dataset, metrics, size}
//	  id       assigned by the store (1, 2, ...), never reused
//	  name     the user's name for it
//	  date     when it was saved, ms since 1970 (Date.now())
//	  arch     a one-line summary of the layers (format.js archText)
//	  dataset  the title of the data set it was trained on, or ''
//	  metrics  {loss, accuracy, val_loss, val_accuracy, test_loss, test_accuracy}, each optional
//	  size     the .cpw file's length in bytes
//
// DOM-free: openStore takes the IndexedDB factory (globalThis.indexedDB in
// the page, a fake in store.test.js), and uses only open, createObjectStore,
// transaction, add, put, get, getAll and delete.

export const DB_NAME = 'convplay';
const VERSION = 1;
const MODELS = 'models';
const FILES = 'files';

/** request turns an IDBRequest into a promise of its result. */
function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** finished is a promise that a transaction committed. */
function finished(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('store: the transaction was aborted'));
  });
}

/**
 * openStore opens (creating on first use) the database and returns the store
 * of saved models. It rejects when the browser keeps no IndexedDB (some
 * private modes), so the page can say that saving is download-only.
 *
 * @param {IDBFactory} [idb]
 * @param {string} [name] the database's name (tests use their own)
 */
export async function openStore(idb = globalThis.indexedDB, name = DB_NAME) {
  if (!idb) throw new Error('store: this browser keeps no IndexedDB');
  const open = idb.open(name, VERSION);
  open.onupgradeneeded = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains(MODELS)) db.createObjectStore(MODELS, { keyPath: 'id', autoIncrement: true });
    if (!db.objectStoreNames.contains(FILES)) db.createObjectStore(FILES);
  };
  const db = await request(open);
  db.onversionchange = () => db.close(); // a newer page wants to upgrade: let it

  return {
    /**
     * save keeps a model: {name, bytes (Uint8Array, .cpw), arch, dataset,
     * metrics}, dated now. It resolves to the record as listed (no bytes)
     * once both stores have it.
     */
    async save({ name, bytes, arch = '', dataset = '', metrics = {}, date = Date.now() }) {
      if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new Error('store: a saved model needs its .cpw bytes');
      if (typeof name !== 'string' || name.trim() === '') throw new Error('store: a saved model needs a name');
      const own = bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice(); // not the rest of a larger buffer
      const record = { name: name.trim(), date, arch, dataset, metrics, size: bytes.length };
      const tx = db.transaction([MODELS, FILES], 'readwrite');
      const done = finished(tx);
      const add = tx.objectStore(MODELS).add(record);
      add.onsuccess = () => tx.objectStore(FILES).put(own, add.result); // in the same transaction: both or neither
      await done;
      return { id: add.result, ...record };
    },

    /** list returns every saved model's record, newest first. */
    async list() {
      const all = await request(db.transaction(MODELS, 'readonly').objectStore(MODELS).getAll());
      return all.sort((a, b) => b.date - a.date || b.id - a.id);
    },

    /** bytes returns a saved model's .cpw bytes; it rejects for an unknown id. */
    async bytes(id) {
      const b = await request(db.transaction(FILES, 'readonly').objectStore(FILES).get(id));
      if (!b) throw new Error(`store: no saved model ${id}`);
      return b;
    },

    /** remove deletes a saved model, record and bytes. */
    async remove(id) {
      const tx = db.transaction([MODELS, FILES], 'readwrite');
      const done = finished(tx);
      tx.objectStore(MODELS).delete(id);
      tx.objectStore(FILES).delete(id);
      await done;
    },

    close() {
      db.close();
    },
  };
}

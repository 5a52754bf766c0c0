// idbfake.js: an in-memory IndexedDB with just what store.js uses, for its
// Node tests. Requests complete in later tasks, in order, as in a browser;
// values are structured-cloned in and out; a transaction commits after its
// last request, or aborts on a failed one and rolls its writes back; a
// request on a finished transaction or a write in a readonly one throws.
// failWrites(storeName) makes the next write to that store fail, as a full
// disk (QuotaExceededError) would.

const later = (fn) => setTimeout(fn, 0);

function domError(name, message) {
  const err = new Error(message);
  err.name = name;
  return err;
}

export function fakeIndexedDB() {
  const dbs = new Map(); // name -> {version, stores: Map(name -> {keyPath, autoIncrement, next, data: Map})}
  let failing = null;

  function connect(state) {
    const conn = {
      onversionchange: null,
      objectStoreNames: { contains: (n) => state.stores.has(n) },
      createObjectStore(n, { keyPath = null, autoIncrement = false } = {}) {
        state.stores.set(n, { keyPath, autoIncrement, next: 1, data: new Map() });
      },
      transaction(names, mode = 'readonly') {
        names = [].concat(names);
        for (const n of names) if (!state.stores.has(n)) throw domError('NotFoundError', `no object store ${n}`);
        return transaction(state, names, mode);
      },
      close() {},
    };
    return conn;
  }

  function transaction(state, names, mode) {
    const undo = new Map(names.map((n) => [n, { data: new Map(state.stores.get(n).data), next: state.stores.get(n).next }]));
    const queue = [];
    let active = true; // accepts requests: in the task that made it and in a success handler's
    let over = false;
    const tx = { error: null, oncomplete: null, onerror: null, onabort: null, objectStore };
    later(() => {
      active = false;
      step();
    });

    function step() {
      if (over) return;
      const job = queue.shift();
      if (!job) {
        over = true;
        if (tx.oncomplete) tx.oncomplete();
        return;
      }
      const { req, run } = job;
      try {
        req.result = run();
      } catch (err) {
        req.error = err;
        if (req.onerror) req.onerror();
        abort(err);
        return;
      }
      active = true;
      if (req.onsuccess) req.onsuccess();
      later(() => {
        active = false;
        step();
      });
    }

    function abort(err) {
      over = true;
      for (const [n, u] of undo) Object.assign(state.stores.get(n), u);
      tx.error = err;
      if (tx.onerror) tx.onerror();
      if (tx.onabort) tx.onabort();
    }

    function objectStore(n) {
      if (!names.includes(n)) throw domError('NotFoundError', `${n} is not in this transaction`);
      const s = state.stores.get(n);
      const enqueue = (write, run) => {
        if (over || !active) throw domError('TransactionInactiveError', 'the transaction has finished');
        if (write && mode !== 'readwrite') throw domError('ReadOnlyError', 'the transaction is readonly');
        const req = { result: undefined, error: null, onsuccess: null, onerror: null };
        queue.push({
          req,
          run: () => {
            if (write && failing === n) {
              failing = null;
              throw domError('QuotaExceededError', 'the disk is full');
            }
            return run();
          },
        });
        return req;
      };
      const putValue = (value, key, unique) => {
        const v = structuredClone(value);
        if (s.keyPath) key = v[s.keyPath];
        if (key === undefined && s.autoIncrement) {
          key = s.next;
          if (s.keyPath) v[s.keyPath] = key;
        }
        if (key === undefined) throw domError('DataError', 'no key');
        if (unique && s.data.has(key)) throw domError('ConstraintError', `key ${key} exists`);
        if (typeof key === 'number' && key >= s.next) s.next = Math.floor(key) + 1;
        s.data.set(key, v);
        return key;
      };
      return {
        add: (value, key) => enqueue(true, () => putValue(value, key, true)),
        put: (value, key) => enqueue(true, () => putValue(value, key, false)),
        delete: (key) => enqueue(true, () => void s.data.delete(key)),
        get: (key) => enqueue(false, () => structuredClone(s.data.get(key))),
        getAll: () => enqueue(false, () => [...s.data.keys()].sort((a, b) => a - b).map((k) => structuredClone(s.data.get(k)))),
      };
    }

    return tx;
  }

  return {
    open(name, version) {
      const req = { result: undefined, error: null, onsuccess: null, onerror: null, onupgradeneeded: null };
      later(() => {
        let state = dbs.get(name);
        const upgrade = !state || version > state.version;
        if (!state) dbs.set(name, (state = { version, stores: new Map() }));
        req.result = connect(state);
        if (upgrade) {
          state.version = version;
          if (req.onupgradeneeded) req.onupgradeneeded();
        }
        if (req.onsuccess) req.onsuccess();
      });
      return req;
    },
    failWrites(storeName) {
      failing = storeName;
    },
  };
}

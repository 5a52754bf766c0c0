// boot.js: the engine's download and its first worker, started as soon as
// the page is parsed (index.html runs this module on its own, async),
// while app.js's modules still arrive: the worker's start and the
// engine's compile then overlap them instead of following them. app.js
// imports the same module (one instance) for the engine and the worker,
// so its own code runs after the hand-over below; the worker's early
// events wait for app.js's client (held.js).

import { downloadEngine, startWorker, WORKER_URL } from './protocol.js';
import { holdEvents } from './held.js';
import { handOver } from './offline.js';

// A newer build that waits takes over (a reload) before this page fetches
// more (offline.js): a worker started before, fetching its imports while
// the new build waited to activate, held that up until handOver gave up
// (TestOfflineNewDeploy). Without a service worker this resolves at once.
await handOver();

/** engine resolves to convplay.wasm's bytes (index.html preloads it); every worker, a restarted one too, compiles it. */
export const engine = downloadEngine();
engine.catch(() => {}); // the worker reports it (engineBoot's error)

performance.mark('convplay:boot'); // the start-up timeline (internal/browsertest/startup_test.go)
let first = holdEvents(startWorker(WORKER_URL, engine));

/** makeWorker returns the worker started here the first time, then a new one (a restart). */
export function makeWorker() {
  const w = first || startWorker(WORKER_URL, engine);
  first = null;
  return w;
}

// boot.js: the engine's download and its first worker, started as soon as
// this module's few imports are in and the hand-over below lets it
// (index.html runs it on its own, async), not after app.js's whole module
// graph and the views' mounting: the worker's start and the engine's
// compile then overlap what follows (BENCHMARKS.md measures it). app.js
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

// weights.js: the files trained ahead for the big sizes (make
// pretrain-densevsconv): each run's record (its curves) and its networks,
// which the lesson's shift (c) and unit (d) views look into
// (densevsconv.js decides which pair, probes.js draws). Two pairs of
// side models live in the engine: the pair trained here (fresh until the
// student trains, MODELS' names) and a pair trained ahead by the command
// line for a big size (make pretrain-densevsconv, its .cpw files loaded with
// sideLoad under SHIPPED_NAMES), so loading one never loses a run trained
// here. The shipped weights are fetched only when the student picks a big
// size: they are no part of the first visit's bytes.

import { MODELS, SHIPPED_DATA, shippedPath, shippedRun, shippedWeightsPath } from './plan.js';

/** loadShippedRun reads preset's run on count images trained ahead: its record, as shippedRun gives it. */
export async function loadShippedRun(preset, count) {
  const path = shippedPath(preset, count);
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${res.statusText}`);
  let rec;
  try {
    rec = await res.json();
  } catch {
    throw new Error(`${path} is not JSON`);
  }
  return shippedRun(rec, preset, count, SHIPPED_DATA);
}

/** SHIPPED_NAMES are the side models that hold the shipped pair of the size picked last. */
export const SHIPPED_NAMES = Object.fromEntries(MODELS.map((m) => [m.kind, `${m.name}-shipped`]));

/** LIVE_NAMES are the side models built and trained in the page. */
export const LIVE_NAMES = Object.fromEntries(MODELS.map((m) => [m.kind, m.name]));

/**
 * shippedLoader returns load(n): a promise of the shipped pair of n images
 * as the side models SHIPPED_NAMES, resolving to {kind: sideLoad's
 * description}. Loads run one after another, so the pair in the engine is
 * always the one asked for last, never half of one size and half of
 * another; the files are fetched once per page.
 */
export function shippedLoader(ctx) {
  const files = new Map(); // path -> promise of its bytes
  let queue = Promise.resolve();
  let inEngine = null; // the size whose pair SHIPPED_NAMES hold
  let infos = null;

  function fileBytes(path) {
    if (!files.has(path)) {
      const got = (async () => {
        const res = await fetch(path);
        if (!res.ok) throw new Error(`${path}: ${res.status} ${res.statusText}`);
        return new Uint8Array(await res.arrayBuffer());
      })();
      got.catch(() => files.delete(path)); // a failed fetch is tried again on the next pick
      files.set(path, got);
    }
    return files.get(path);
  }

  return function load(n) {
    const job = queue.then(async () => {
      if (inEngine === n) return infos;
      inEngine = null;
      const got = {};
      const bytes = await Promise.all(MODELS.map((m) => fileBytes(shippedWeightsPath(m.preset, n))));
      for (const [i, m] of MODELS.entries()) {
        // A copy goes to the worker, so the bytes stay here for the next pick of this size.
        got[m.kind] = await ctx.request('sideLoad', { name: SHIPPED_NAMES[m.kind], bytes: bytes[i] });
        if (got[m.kind].totalParams === undefined) throw new Error(`${shippedWeightsPath(m.preset, n)}: the engine described no model`);
      }
      [inEngine, infos] = [n, got];
      return got;
    });
    queue = job.catch(() => {});
    return job;
  };
}

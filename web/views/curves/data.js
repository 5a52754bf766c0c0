// data.js: the learning curves' numbers, kept in the columns uPlot
// draws (one shared x column, null where a series has no point). DOM-free.
//
// Every value comes from the engine's events. progress carries the running
// mean of the epoch so far (loss and accuracy over its samples, as
// Keras's progress bar shows them); the faint "raw" curve is the mean over
// the samples trained since the previous progress event, taken from two
// running means (m2*n2 - m1*n1) / (n2 - n1), and the bold curve smooths
// those with an exponential moving average. Validation comes once per
// epoch, from the epoch event, at x = epoch + 1.

/** ema returns the exponential moving average after x: prev*(1-alpha) + x*alpha (x alone when prev is null). */
export function ema(prev, x, alpha) {
  if (prev === null || prev === undefined || !Number.isFinite(prev)) return x;
  return prev + alpha * (x - prev);
}

/** intervalMean is the mean over samples n1..n2 of a running mean m: (m2*n2 - m1*n1) / (n2 - n1); m2 alone after a reset (n2 <= n1). */
export function intervalMean(m1, n1, m2, n2) {
  if (n2 <= n1 || n1 <= 0) return m2;
  return (m2 * n2 - m1 * n1) / (n2 - n1);
}

/** The columns of the two charts; see createCurves. */
export const COLUMNS = ['x', 'loss', 'lossSmooth', 'valLoss', 'acc', 'accSmooth', 'valAcc', 'best'];

/**
 * createCurves keeps the curves of one training run. alpha is the EMA's
 * weight of the newest point; samples is the training set's size (train's
 * reply), which turns a progress event's total into the epoch's samples.
 */
export function createCurves({ alpha = 0.15, samples }) {
  const cols = Object.fromEntries(COLUMNS.map((c) => [c, []]));
  let last = null; // the previous progress event: {epoch, seen, loss, accuracy}
  let smooth = { loss: null, acc: null };
  const epochs = []; // [{epoch, val_loss, val_accuracy, loss, accuracy, wait, best, bestEpoch, checkpoint}]
  let stopped = null; // {epoch, reason}

  function push(row) {
    for (const c of COLUMNS) cols[c].push(row[c] === undefined ? null : row[c]);
  }

  return {
    cols,
    epochs,
    get stopped() {
      return stopped;
    },

    /** progress adds a point from a progress event ({epoch, batch, batches, loss, accuracy, total, ...}). */
    progress(ev) {
      const seen = ev.total - ev.epoch * samples; // this epoch's samples so far
      if (!Number.isFinite(ev.loss) || !(ev.total > 0)) return false; // nothing trained yet, or a NaN
      const x = ev.epoch + (ev.batch + 1) / ev.batches;
      const n = cols.x.length;
      if (n > 0 && cols.x[n - 1] >= x) return false; // nothing new (a repeated event)
      const sameEpoch = last && last.epoch === ev.epoch;
      const loss = sameEpoch ? intervalMean(last.loss, last.seen, ev.loss, seen) : ev.loss;
      const acc = sameEpoch ? intervalMean(last.accuracy, last.seen, ev.accuracy, seen) : ev.accuracy;
      smooth = { loss: ema(smooth.loss, loss, alpha), acc: ema(smooth.acc, acc, alpha) };
      push({ x, loss, acc, lossSmooth: smooth.loss, accSmooth: smooth.acc });
      last = { epoch: ev.epoch, seen, loss: ev.loss, accuracy: ev.accuracy };
      return true;
    },

    /** epoch adds validation (and the early-stopping state) at x = epoch + 1. */
    epoch(ev) {
      const x = ev.epoch + 1;
      const es = ev.earlyStopping || null;
      epochs.push({
        epoch: ev.epoch,
        loss: ev.loss,
        accuracy: ev.accuracy,
        val_loss: ev.val_loss,
        val_accuracy: ev.val_accuracy,
        checkpoint: Boolean(ev.checkpoint),
        wait: es ? es.wait : null,
        bestEpoch: es ? es.bestEpoch : null,
      });
      if (ev.val_loss === undefined || ev.val_loss === null) return;
      let i = cols.x.length - 1;
      if (i < 0 || Math.abs(cols.x[i] - x) > 1e-9) {
        push({ x });
        i = cols.x.length - 1;
      }
      cols.valLoss[i] = ev.val_loss;
      cols.valAcc[i] = ev.val_accuracy;
      // The best checkpoint so far: the last epoch that saved one.
      if (ev.checkpoint) {
        for (let j = 0; j < cols.best.length; j++) cols.best[j] = null;
        cols.best[i] = ev.val_loss;
      }
    },

    /** done notes where training ended and why. */
    done(ev) {
      const lastEpoch = epochs.length ? epochs[epochs.length - 1].epoch : -1;
      stopped = { reason: ev.reason, epoch: lastEpoch, x: lastEpoch + 1 };
    },

    /** bestEpoch is the 0-based epoch of the best checkpoint, or null. */
    bestEpoch() {
      for (let j = epochs.length - 1; j >= 0; j--) if (epochs[j].checkpoint) return epochs[j].epoch;
      return null;
    },

    /** data gives uPlot's columns for the loss and accuracy charts. */
    data() {
      return {
        loss: [cols.x, cols.loss, cols.lossSmooth, cols.valLoss, cols.best],
        acc: [cols.x, cols.acc, cols.accSmooth, cols.valAcc],
      };
    },
  };
}

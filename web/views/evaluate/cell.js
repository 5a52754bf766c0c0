// cell.js: the test images of one confusion-matrix cell
// (#cell-images in views/evaluate/evaluate.js): a page of thumbnails at a time,
// fetched from the engine (getSample), each a button that makes its image
// the page's input, so the network shows why it failed.

import { cellSamples } from './matrix.js';
import { grayRGBA } from '../shared/paint.js';

/** How many images of a cell to show at first, and per "show more". */
const PAGE = 40;

/**
 * createCellImages runs the #cell-images box inside section for the
 * evaluation result() returns. It returns {open(truth, pred), close(),
 * renderHead() (again, after a language switch), current() the open cell
 * {truth, pred, samples, shown} or null}.
 */
export function createCellImages(ctx, section, result) {
  const { t, fmt } = ctx;
  const $ = (sel) => section.querySelector(sel);
  let open = null; // {truth, pred, samples, shown}: the confusion cell whose images show
  let cellRun = 0; // increases with each opened cell, so late thumbnails of an old one are dropped

  function renderHead() {
    if (!open) return;
    const head = $('.eval-cell-head');
    head.textContent = t('eval.cellHead', { truth: ctx.className(open.truth), pred: ctx.className(open.pred), n: fmt.count(open.samples.length) });
    const more = $('.eval-more');
    const left = open.samples.length - open.shown;
    more.hidden = left <= 0;
    more.textContent = t('eval.more', { n: fmt.count(Math.min(PAGE, left)) });
  }

  function openCell(truth, pred) {
    open = { truth, pred, samples: cellSamples(result(), truth, pred), shown: 0 };
    cellRun++;
    const box = $('#cell-images');
    box.hidden = false;
    box.dataset.truth = String(truth);
    box.dataset.pred = String(pred);
    box.dataset.count = String(open.samples.length);
    $('.eval-thumbs').replaceChildren();
    for (const td of section.querySelectorAll('#confusion td.eval-open')) td.classList.remove('eval-open');
    const td = section.querySelector(`#confusion td[data-truth="${truth}"][data-pred="${pred}"]`);
    if (td) td.classList.add('eval-open');
    showMore();
    box.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  /** showMore adds the next page of the open cell's images, fetched from the engine. */
  async function showMore() {
    const run = cellRun;
    const ids = open.samples.slice(open.shown, open.shown + PAGE);
    open.shown += ids.length;
    renderHead();
    const thumbs = $('.eval-thumbs');
    for (const index of ids) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'eval-thumb';
      b.dataset.index = String(index);
      b.dataset.i18nAttr = 'title:eval.thumb;aria-label:eval.thumb';
      b.dataset.i18nVars = JSON.stringify({ index });
      const canvas = document.createElement('canvas');
      canvas.width = 28;
      canvas.height = 28;
      canvas.className = 'pixels';
      b.append(canvas);
      thumbs.append(b);
      ctx.translate(b);
    }
    for (const index of ids) {
      let s;
      try {
        s = await ctx.request('getSample', { split: 'test', index });
      } catch {
        return; // the engine restarted or the data switched; the cell closes with the next result
      }
      if (run !== cellRun) return;
      const b = thumbs.querySelector(`button[data-index="${index}"]`);
      if (!b) continue;
      const side = Math.round(Math.sqrt(s.image.length));
      const canvas = b.firstChild;
      canvas.width = side;
      canvas.height = side;
      canvas.getContext('2d').putImageData(new ImageData(grayRGBA(s.image), side, side), 0, 0);
      b.dataset.loaded = '1';
      b.onclick = () => {
        for (const o of thumbs.querySelectorAll('.eval-picked')) o.classList.remove('eval-picked');
        b.classList.add('eval-picked');
        ctx.setInput({ pixels: s.pixels.slice(), image: new Uint8ClampedArray(s.image), source: 'gallery', label: s.label, index }); // a test image, as the gallery's
      };
    }
  }

  function close() {
    open = null;
    cellRun++;
    $('#cell-images').hidden = true;
  }

  $('.eval-more').addEventListener('click', showMore);
  return { open: openCell, close, renderHead, current: () => open };
}

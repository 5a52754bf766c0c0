// tables.js: the evaluation's per-class accuracy bars
// (#class-accuracy) and confusion matrix (#confusion) as DOM, for
// views/evaluate/evaluate.js. The counts and fractions are the engine's evaluate
// result; matrix.js picks and colours them.

import { cell, cellColour, matrixTotal } from './matrix.js';

/** fillBars fills the <ol> list with one bar per class: its test accuracy. */
export function fillBars(ctx, list, r) {
  const { fmt } = ctx;
  list.replaceChildren(...r.classAccuracy.map((a, k) => {
    const li = document.createElement('li');
    li.dataset.class = String(k);
    const name = document.createElement('span');
    name.className = 'eval-bar-name';
    name.textContent = ctx.className(k);
    const bar = document.createElement('span');
    bar.className = 'eval-bar';
    const fill = document.createElement('span');
    fill.className = 'eval-bar-fill';
    fill.style.width = `${a === null ? 0 : 100 * a}%`;
    bar.append(fill);
    const v = document.createElement('span');
    v.className = 'eval-bar-value num';
    v.textContent = a === null ? '–' : fmt.pct(a);
    li.dataset.accuracy = a === null ? '' : String(a);
    li.append(name, bar, v);
    return li;
  }));
}

/**
 * fillMatrix fills the <table> with the confusion matrix: rows the true
 * class, columns the predicted one; a mistake's count is a button that calls
 * openCell(truth, pred). open is the open cell {truth, pred} or null.
 */
export function fillMatrix(ctx, table, r, open, openCell) {
  const { t, fmt } = ctx;
  table.dataset.total = String(matrixTotal(r));
  const head = document.createElement('tr');
  const corner = document.createElement('th');
  corner.className = 'eval-corner';
  corner.textContent = t('eval.truePred');
  head.append(corner);
  for (let p = 0; p < r.classes; p++) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.className = 'eval-col';
    th.innerHTML = '<span></span>';
    th.firstChild.textContent = ctx.className(p);
    head.append(th);
  }
  const thead = document.createElement('thead');
  thead.append(head);
  const tbody = document.createElement('tbody');
  for (let tr = 0; tr < r.classes; tr++) {
    const row = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = ctx.className(tr);
    row.append(th);
    for (let p = 0; p < r.classes; p++) {
      const n = cell(r, tr, p);
      const c = cellColour(r, tr, p);
      const td = document.createElement('td');
      td.className = `eval-cell-${c.kind} eval-text-${c.text}`;
      td.style.setProperty('--a', c.alpha.toFixed(3));
      td.dataset.truth = String(tr);
      td.dataset.pred = String(p);
      td.dataset.count = String(n);
      const vars = { n: fmt.count(n), truth: ctx.className(tr), pred: ctx.className(p) };
      if (tr !== p && n > 0) {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = fmt.count(n);
        b.title = t('eval.cellTitle', vars);
        b.addEventListener('click', () => openCell(tr, p));
        td.append(b);
      } else {
        td.textContent = n === 0 ? '·' : fmt.count(n);
        td.title = tr === p ? t('eval.cellRight', vars) : t('eval.cellNone', vars);
      }
      if (open && open.truth === tr && open.pred === p) td.classList.add('eval-open');
      row.append(td);
    }
    tbody.append(row);
  }
  table.replaceChildren(thead, tbody);
}

// grids.js: what the convolution step-through (views/convstep/convstep.js)
// draws for one convWindow result: the input map with its zero padding
// hatched, the window and the output pixel placed over their canvases, the
// grids of window values, kernel weights and products, the per-channel sum
// chips, the addition of the channel sums, and the sum-bias-activation
// table. Every number is the engine's; these only lay them out and colour
// them (../shared/paint.js).

import { grey, range, num, textColour } from '../shared/paint.js';
import { nth } from '../shared/count.js';

const PAD_RGB = [214, 220, 232];

/**
 * paintMap draws channel `channel` of an (h, w, c) map on canvas in grey,
 * with a hatched border of pad = [top, left, bottom, right] padding cells.
 */
export function paintMap(canvas, map, h, w, c, channel, pad) {
  const [pt, pl, pb, pr] = pad;
  const W = w + pl + pr;
  const H = h + pt + pb;
  canvas.width = W;
  canvas.height = H;
  const g = canvas.getContext('2d');
  const img = g.createImageData(W, H);
  const { lo, hi } = range(map, channel, c);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = 4 * (y * W + x);
      const iy = y - pt;
      const ix = x - pl;
      let rgb;
      if (iy < 0 || iy >= h || ix < 0 || ix >= w) rgb = (x + y) % 2 ? PAD_RGB : [236, 239, 245];
      else {
        const v = grey(map[(iy * w + ix) * c + channel], lo, hi);
        rgb = [v, v, v];
      }
      img.data.set([...rgb, 255], i);
    }
  }
  g.putImageData(img, 0, 0);
}

/** place puts box over a size x size square at (top, left) of a cellsH x cellsW picture, in percent. */
export function place(box, top, left, size, cellsH, cellsW) {
  Object.assign(box.style, {
    top: `${(100 * top) / cellsH}%`, left: `${(100 * left) / cellsW}%`,
    width: `${(100 * size) / cellsW}%`, height: `${(100 * size) / cellsH}%`,
  });
}

/**
 * fillGrid fills el with the k x k values of one channel of a (k, k, c)
 * array, each cell coloured by colour(v); cells where inside is false (the
 * padding) are marked.
 */
export function fillGrid(el, values, k, c, channel, colour, inside) {
  el.style.gridTemplateColumns = `repeat(${k}, 3.4rem)`;
  const cells = [];
  for (let i = 0; i < k * k; i++) {
    const v = values[i * c + channel];
    const cell = document.createElement('span');
    const rgb = colour(v);
    cell.textContent = num(v, 3);
    cell.title = String(v);
    cell.style.background = `rgb(${rgb.join(',')})`;
    cell.style.color = textColour(rgb);
    if (inside && !inside[i]) cell.classList.add('pad');
    cells.push(cell);
  }
  el.replaceChildren(...cells);
}

/**
 * fillSums fills el with one button per channel sum, coloured by
 * colour(v); the shown channel's is pressed, and a click calls pick(i).
 */
export function fillSums(el, sums, shown, colour, pick) {
  el.replaceChildren(...Array.from(sums, (v, i) => {
    const b = document.createElement('button');
    b.type = 'button';
    const rgb = colour(v);
    b.style.background = `rgb(${rgb.join(',')})`;
    b.style.color = textColour(rgb);
    b.textContent = `${nth(i)}: ${num(v, 2)}`;
    b.title = String(v);
    b.setAttribute('aria-pressed', String(i === shown));
    b.addEventListener('click', () => pick(i));
    return b;
  }));
}

/** sumLine writes the channel sums as one addition: the first three, the last, and the engine's total. */
export function sumLine(t, sums, total) {
  const term = (i) => `${t('convstep.ch', { c: i })} (${num(sums[i], 3)})`;
  const n = sums.length;
  const terms = n <= 5 ? Array.from(sums, (_, i) => term(i)) : [term(0), term(1), term(2), '…', term(n - 1)];
  return `${terms.join(' + ')} = ${num(total, 4)}`;
}

/** fillEquation fills tbody with the sum, the bias, the pre-activation, the activation and the output of r (c channels, k x k kernel). */
export function fillEquation(tbody, t, r, c, k) {
  const rows = [
    [c > 1 ? t('convstep.sumMany', { channels: c }) : t('convstep.sumOne', { n: k * k }), r.sum, 'cs-sum'],
    [t('convstep.bias'), r.bias, 'cs-bias'],
    [t('convstep.pre'), r.preActivation, 'cs-pre'],
    [r.activation === 'relu' ? t('convstep.relu') : r.activation === 'linear' ? t('convstep.linear') : t('convstep.act', { name: r.activation }), r.activated, 'cs-act'],
    [t('convstep.output', { y: nth(r.y), x: nth(r.x) }), r.output, 'cs-output'],
  ];
  tbody.replaceChildren(...rows.map(([label, v, cls]) => {
    const tr = document.createElement('tr');
    tr.className = cls;
    const th = document.createElement('th');
    th.textContent = label;
    const td = document.createElement('td');
    td.className = 'num';
    td.textContent = num(v, 4);
    td.dataset.value = String(v);
    tr.append(th, td);
    return tr;
  }));
}

// views/why/place.js: part 5 of the why lesson, where it places your
// drawing. The engine lays the test images' penultimate features out on
// their two principal components (the embedding op, cached per model), so
// asking again with each new drawing only projects the drawing; this module
// draws the dots by class, the drawing as a ringed marker, the legend, and
// names the test image under the pointer.

import { esc } from '../../format.js';
import { classColour, fit, nearest } from './scatter.js';

export const MAP = 320; // the map's canvas side

/**
 * mountPlace wires the map in the lesson's section: env holds the lesson's
 * ctx, $ (a query in the section), last (the answers, shared with the test
 * hook), latest (at most one request in flight), pixels and name. It returns
 * {place, showMap}: ask again for the current input, repaint (a new language).
 */
export function mountPlace({ ctx, $, last, latest, pixels, name }) {
  const t = ctx.t;
  // The first answer for a model is a pass over the test images (seconds):
  // until it comes, the lesson says so instead of showing an empty square.
  let waiting = false;
  const place = latest(async () => {
    const px = pixels();
    if (!px) return null;
    const model = ctx.state.model;
    waiting = !last.embedding || last.embedding.model !== model;
    showWait();
    try {
      return { ...(await ctx.request('embedding', { pixels: px.slice() }, { timeoutMs: 120000 })), pixels: px, model };
    } finally {
      waiting = false;
      showWait();
    }
  }, (r) => {
    last.embedding = r;
    showMap();
  });

  function showWait() {
    $('.why-map-wait').hidden = !waiting;
    if (waiting) ctx.setText($('.why-map-wait'), 'why.map.computing');
    $('.why-map-wrap').hidden = !last.embedding;
  }

  let fitted = null;
  function showMap() {
    showWait();
    const r = last.embedding;
    if (!r) return;
    const canvas = $('.why-map');
    const g = canvas.getContext('2d');
    g.clearRect(0, 0, MAP, MAP);
    fitted = fit(r.points, MAP, 10, r.point ? [r.point] : []);
    g.globalAlpha = 0.6;
    for (let i = 0; i < r.labels.length; i++) {
      const [x, y] = fitted.toPx(r.points[2 * i], r.points[2 * i + 1]);
      g.fillStyle = classColour(r.labels[i]);
      g.fillRect(x - 1.5, y - 1.5, 3, 3);
    }
    g.globalAlpha = 1;
    if (r.point) {
      const [x, y] = fitted.toPx(r.point[0], r.point[1]);
      g.lineWidth = 3;
      g.strokeStyle = '#000';
      g.beginPath();
      g.arc(x, y, 9, 0, 2 * Math.PI);
      g.stroke();
      g.fillStyle = classColour(r.pointClass);
      g.beginPath();
      g.arc(x, y, 6, 0, 2 * Math.PI);
      g.fill();
    }
    const n = r.labels.length ? Math.max(...r.labels) + 1 : 0;
    // Colours set through the CSSOM: the page's policy forbids style attributes.
    $('.why-legend').innerHTML = Array.from({ length: n }, (_, k) => `<li><span class="why-swatch"></span>${esc(name(k))}</li>`).join('');
    for (const [k, sw] of [...$('.why-legend').querySelectorAll('.why-swatch')].entries()) sw.style.background = classColour(k);
    ctx.setText($('.why-map-info'), 'why.map.info', {
      n: ctx.fmt.count(r.count), layer: r.name, dim: r.dim, a: ctx.fmt.pct(r.explained[0]), b: ctx.fmt.pct(r.explained[1]),
      name: r.point ? name(r.pointClass) : '',
    });
  }

  $('.why-map').addEventListener('pointermove', (e) => {
    const r = last.embedding;
    const canvas = $('.why-map');
    if (!r || !fitted) return;
    const box = canvas.getBoundingClientRect();
    const px = ((e.clientX - box.left) / box.width) * MAP;
    const py = ((e.clientY - box.top) / box.height) * MAP;
    const [x, y] = fitted.fromPx(px, py);
    const [rx] = fitted.fromPx(px + 6, py);
    const i = nearest(r.points, x, y, Math.abs(rx - x));
    canvas.title = i < 0 ? '' : t('why.hover.map', { i: i + 1, label: name(r.labels[i]), predicted: name(r.predicted[i]) });
  });

  return { place, showMap };
}

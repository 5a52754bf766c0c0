// head.js: the regression lesson's head beside the strip's last layer
// (network.js): its one output unit, the unit's value on the drawing, and
// a sentence setting its 1 unit against the model's 10. The head and its
// value come from the regression lesson (its regressHead event), the
// engine's description and trace; nothing is computed here.

import { shapeText } from '../../format.js';
import { drawVector } from './draw.js';

/**
 * drawHead fills box (the head's card) and text (its sentence) for head,
 * {layer: its description, value, ink} or null, beside the model's last
 * layer last (hidden without either).
 */
export function drawHead(ctx, box, text, head, last) {
  const t = ctx.t;
  box.hidden = text.hidden = !(head && last);
  if (!head || !last) return;
  const l = head.layer;
  const count = (n) => ctx.fmt.count(n);
  box.querySelector('.net-name').textContent = l.name;
  box.querySelector('.net-type').textContent = l.type;
  box.querySelector('.net-conf').textContent = l.activation;
  box.querySelector('.net-shape').textContent = shapeText(l.outShape);
  box.querySelector('.net-params').textContent = t('network.params', { n: count(l.params) });
  box.dataset.units = String(l.units);
  const thumbs = box.querySelector('.net-thumbs');
  thumbs.replaceChildren();
  const classes = last.outShape.reduce((a, b) => a * b, 1);
  const vars = { units: count(l.units), classes: count(classes), name: l.name, last: last.name };
  if (head.value === null) {
    text.textContent = t('network.head.textNoInput', vars);
    return;
  }
  thumbs.append(drawVector(ctx, { output: Float32Array.of(head.value), shape: [1] }, 'thumb'));
  const v = document.createElement('span');
  v.className = 'mono net-head-value';
  v.textContent = `${ctx.fmt.num(head.value, 1)}%`;
  thumbs.append(v);
  text.textContent = t('network.head.text', { ...vars, value: `${ctx.fmt.num(head.value, 1)}%`, ink: `${ctx.fmt.num(head.ink, 1)}%` });
}

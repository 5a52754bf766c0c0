// Unit tests of cells.js, on a fake 2D canvas that records what is drawn.
import test from 'node:test';
import assert from 'node:assert/strict';
import { paintCells, frame, gridLines, scaleFor } from './cells.js';

function fakeCanvas() {
  const calls = [];
  const g = {
    calls,
    createImageData: (w, h) => ({ width: w, height: h, data: new Uint8ClampedArray(w * h * 4) }),
    putImageData: (img) => { g.img = img; },
    strokeRect: (...a) => calls.push(['rect', ...a]),
    beginPath: () => {},
    moveTo: (...a) => calls.push(['move', ...a]),
    lineTo: () => {},
    stroke: () => {},
  };
  return { width: 0, height: 0, getContext: () => g };
}

test('paintCells: each cell a scale x scale block of grey', () => {
  const c = fakeCanvas();
  const g = paintCells(c, [0, 1], 1, 2, 0, 1, 2); // a 1x2 map, 2 pixels per cell
  assert.equal(c.width, 4);
  assert.equal(c.height, 2);
  const px = (x, y) => g.img.data[4 * (y * 4 + x)];
  assert.deepEqual([px(0, 0), px(1, 1), px(2, 0), px(3, 1)], [0, 0, 255, 255]);
});

test('frame and gridLines place their strokes on cell edges', () => {
  const g = fakeCanvas().getContext();
  frame(g, 1, 2, 2, 2, 10, 'red', 2);
  assert.deepEqual(g.calls[0], ['rect', 21, 11, 18, 18]);
  g.calls.length = 0;
  gridLines(g, [2], [2], 4, 4, 10, 'blue');
  assert.deepEqual(g.calls, [['move', 0, 20.5], ['move', 20.5, 0]]);
});

test('scaleFor: about target pixels wide, at least 2 per cell', () => {
  assert.equal(scaleFor(28, 320), 11);
  assert.equal(scaleFor(1000), 2);
});

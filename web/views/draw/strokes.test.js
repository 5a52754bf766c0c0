// Unit tests of strokes.js: stroke history, smoothing, pointer mapping.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHistory, smoothPath, padPoint } from './strokes.js';

test('history: strokes begin, grow, end; undo drops the last; erasing alone is no ink', () => {
  const h = createHistory();
  assert.equal(h.inked, false);
  assert.equal(h.add({ x: 1, y: 1 }), false, 'no open stroke');
  h.begin({ x: 0, y: 0 }, 10);
  assert.equal(h.drawing, true);
  assert.equal(h.add({ x: 0, y: 0 }), false, 'a repeated point is dropped');
  assert.equal(h.add({ x: 5, y: 0 }), true);
  const s = h.end();
  assert.deepEqual(s, { size: 10, erase: false, points: [{ x: 0, y: 0 }, { x: 5, y: 0 }] });
  assert.equal(h.drawing, false);
  h.begin({ x: 3, y: 3 }, 20, true);
  h.end();
  assert.equal(h.strokes.length, 2);
  assert.equal(h.inked, true);
  assert.equal(h.undo().erase, true);
  assert.equal(h.undo().size, 10);
  assert.equal(h.undo(), null);
  assert.equal(h.inked, false);
  h.begin({ x: 1, y: 1 }, 4, true);
  assert.equal(h.inked, false, 'an eraser stroke puts no ink down');
  h.clear();
  assert.equal(h.strokes.length, 0);
  assert.equal(h.drawing, false);
});

test('smoothPath: dot, line, and quadratic curves through the midpoints', () => {
  assert.deepEqual(smoothPath([]), []);
  assert.deepEqual(smoothPath([{ x: 2, y: 3 }]), [['dot', 2, 3]]);
  assert.deepEqual(smoothPath([{ x: 0, y: 0 }, { x: 4, y: 2 }]), [['move', 0, 0], ['line', 4, 2]]);
  assert.deepEqual(smoothPath([{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }, { x: 0, y: 10 }]), [
    ['move', 0, 0],
    ['quad', 10, 0, 10, 5],
    ['quad', 10, 10, 5, 10],
    ['line', 0, 10],
  ]);
});

test('padPoint: screen to canvas pixels, clamped, to a tenth', () => {
  const rect = { left: 100, top: 50, width: 140, height: 140 }; // a 280 px canvas shown at half size
  assert.deepEqual(padPoint(100, 50, rect, 280, 280), { x: 0, y: 0 });
  assert.deepEqual(padPoint(170, 120, rect, 280, 280), { x: 140, y: 140 });
  assert.deepEqual(padPoint(100.05, 50, rect, 280, 280), { x: 0.1, y: 0 });
  assert.deepEqual(padPoint(0, 500, rect, 280, 280), { x: 0, y: 280 });
});

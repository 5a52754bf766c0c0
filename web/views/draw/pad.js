// pad.js: the drawing pad's canvas (views/draw/draw.js owns the rest of the
// panel). Pointer events of any kind (mouse, pen, touch) paint strokes,
// kept in a history (strokes.js) so that undo can repaint the others;
// the stroke being drawn is painted once per animation frame over the pad
// as it was when the stroke began. A gallery image can lie under the
// strokes as a backdrop. White ink on black paper: see draw.js.

import { createHistory, smoothPath, padPoint } from './strokes.js';
import { grayRGBA } from '../shared/paint.js';

/**
 * createPad drives canvas (its pixel size is the pad's) and the brush
 * outline cursor. brush() gives {size, erase} for a new stroke; onBegin
 * runs before a stroke starts, onMove while it grows, onEnd when it ends,
 * onChange after the strokes or the backdrop changed.
 */
export function createPad(canvas, cursor, { brush, onBegin = () => {}, onMove = () => {}, onEnd = () => {}, onChange = () => {} }) {
  const W = canvas.width;
  const H = canvas.height;
  const g = canvas.getContext('2d', { willReadFrequently: true });
  const history = createHistory();
  let backdrop = null; // a 28x28 gray image painted under the strokes
  let base = null; // the pad's pixels before the open stroke
  let pointer = null; // the pointer drawing the open stroke
  let frameAsked = false;

  function paintStroke(s) {
    g.save();
    g.lineCap = 'round';
    g.lineJoin = 'round';
    g.lineWidth = s.size;
    g.strokeStyle = g.fillStyle = s.erase ? '#000' : '#fff';
    g.beginPath();
    let open = false;
    for (const [op, ...a] of smoothPath(s.points)) {
      if (op === 'dot') {
        g.arc(a[0], a[1], s.size / 2, 0, 2 * Math.PI);
        g.fill();
      } else if (op === 'move') {
        g.moveTo(a[0], a[1]);
        open = true;
      } else if (op === 'quad') g.quadraticCurveTo(a[0], a[1], a[2], a[3]);
      else g.lineTo(a[0], a[1]);
    }
    if (open) g.stroke();
    g.restore();
  }

  function paintBackdrop() {
    const small = document.createElement('canvas');
    small.width = 28;
    small.height = 28;
    small.getContext('2d').putImageData(new ImageData(grayRGBA(backdrop), 28, 28), 0, 0);
    g.save();
    g.imageSmoothingEnabled = false;
    g.drawImage(small, 0, 0, W, H);
    g.restore();
  }

  /** repaint paints the pad from scratch: paper, the backdrop, every stroke. */
  function repaint() {
    g.fillStyle = '#000';
    g.fillRect(0, 0, W, H);
    if (backdrop) paintBackdrop();
    for (const s of history.strokes) paintStroke(s);
    onChange();
  }

  /** frame paints the open stroke over the pad as it was when the stroke began. */
  function frame() {
    frameAsked = false;
    const s = history.strokes[history.strokes.length - 1];
    if (!history.drawing || !base || !s) return;
    g.putImageData(base, 0, 0);
    paintStroke(s);
  }

  function askFrame() {
    if (frameAsked) return;
    frameAsked = true;
    requestAnimationFrame(frame);
  }

  const point = (e) => padPoint(e.clientX, e.clientY, canvas.getBoundingClientRect(), W, H);

  // The brush's outline follows a mouse or pen, so its size shows before drawing.
  function showCursor(e) {
    if (e.pointerType === 'touch') {
      cursor.hidden = true;
      return;
    }
    const r = canvas.getBoundingClientRect();
    const d = (brush().size * r.width) / W;
    cursor.hidden = false;
    cursor.style.width = cursor.style.height = `${d}px`; // CSSOM: the page's CSP allows no style attributes
    cursor.style.transform = `translate(${e.clientX - r.left - d / 2}px, ${e.clientY - r.top - d / 2}px)`;
  }

  canvas.addEventListener('pointerdown', (e) => {
    if (pointer !== null || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    onBegin();
    pointer = e.pointerId;
    try {
      canvas.setPointerCapture(e.pointerId);
    } catch {
      // A synthesized pointer has nothing to capture; its events come to the canvas anyway.
    }
    base = g.getImageData(0, 0, W, H);
    const b = brush();
    history.begin(point(e), b.size, b.erase);
    frame();
    onChange();
    onMove();
  });

  canvas.addEventListener('pointermove', (e) => {
    showCursor(e);
    if (e.pointerId !== pointer) return;
    const events = (e.getCoalescedEvents && e.getCoalescedEvents()) || [];
    let moved = false;
    for (const ev of events.length ? events : [e]) moved = history.add(point(ev)) || moved;
    if (!moved) return;
    askFrame();
    onMove();
  });

  canvas.addEventListener('pointerleave', () => {
    cursor.hidden = true;
  });

  function endStroke(e) {
    if (e.pointerId !== pointer) return;
    if (e.type === 'pointerup') history.add(point(e));
    history.end();
    frame();
    pointer = null;
    base = null;
    onChange();
    onEnd();
  }
  canvas.addEventListener('pointerup', endStroke);
  canvas.addEventListener('pointercancel', endStroke);
  canvas.addEventListener('lostpointercapture', endStroke);

  /** reset forgets the strokes (and a stroke in progress) and shows image (or nothing) under them. */
  function reset(image = null) {
    history.clear();
    pointer = null;
    base = null;
    backdrop = image;
    repaint();
  }

  return {
    repaint,
    reset,
    /** undo drops the last stroke; false when there is none or one is being drawn. */
    undo() {
      if (pointer !== null || history.strokes.length === 0) return false;
      history.undo();
      repaint();
      return true;
    },
    /** pixels are the pad's RGBA pixels, as the engine's preprocess takes them. */
    pixels() {
      return g.getImageData(0, 0, W, H);
    },
    get strokes() {
      return history.strokes.length;
    },
    get backdrop() {
      return backdrop !== null;
    },
  };
}

// touchtip.js: on a touch screen, a tap shows what a mouse's hover shows.
// The page puts the numbers behind its pictures in title attributes (a
// feature map's value under the pointer, a filter's weight, a bar's score),
// which a finger never sees; installTouchTips shows the tapped element's
// title in a small box near the finger instead. Views that write the title
// as the pointer moves over a canvas get a pointermove at the tap first, so
// the box tells the value under the finger. A mouse keeps the browser's own
// tooltips.

const SHOW_MS = 4000;

/**
 * tipPosition places a box of the given size near the tap (x, y), above it
 * where there is room (a finger hides what is below it), inside a viewport
 * of vw x vh with a margin.
 */
export function tipPosition(x, y, width, height, vw, vh, margin = 8) {
  const left = Math.min(Math.max(margin, x - width / 2), Math.max(margin, vw - width - margin));
  const above = y - height - 24;
  const top = above >= margin ? above : Math.min(y + 24, Math.max(margin, vh - height - margin));
  return { left, top };
}

/**
 * installTouchTips shows titles on tap under root (the document by
 * default); elements inside .no-touch-tip (the drawing pad) are left alone.
 * It returns the box.
 */
export function installTouchTips(root = document) {
  const tip = document.createElement('div');
  tip.className = 'touch-tip';
  tip.setAttribute('role', 'status');
  tip.hidden = true;
  document.body.append(tip);
  let timer = 0;
  const hide = () => {
    tip.hidden = true;
  };
  root.addEventListener('pointerdown', (e) => {
    if (e.pointerType === 'mouse') return;
    const el = e.target instanceof Element ? e.target.closest('[title]') : null;
    if (!el || el.closest('.no-touch-tip')) {
      hide();
      return;
    }
    el.dispatchEvent(new PointerEvent('pointermove', { bubbles: true, clientX: e.clientX, clientY: e.clientY, pointerType: e.pointerType, pointerId: e.pointerId }));
    if (!el.title) return hide();
    tip.textContent = el.title;
    tip.hidden = false;
    const { left, top } = tipPosition(e.clientX, e.clientY, tip.offsetWidth, tip.offsetHeight, window.innerWidth, window.innerHeight);
    tip.style.left = `${left}px`;
    tip.style.top = `${top}px`;
    clearTimeout(timer);
    timer = setTimeout(hide, SHOW_MS);
  }, { passive: true });
  return tip;
}

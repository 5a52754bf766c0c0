// drop.js: drop a model file anywhere on the page. While files are dragged
// over the page a drop target covers it (#drop-target, styled in
// keep.css); a dropped file goes to onFile, the keep panel's loader, as if
// picked with its file button.

import { dragHasFiles } from './modelfile.js';

export function mountDrop(ctx, onFile) {
  const target = document.createElement('div');
  target.id = 'drop-target';
  target.className = 'drop-target';
  target.hidden = true;
  target.innerHTML = `<div class="drop-box"><strong data-i18n="keep.drop.title"></strong><span data-i18n="keep.drop.note"></span></div>`;
  document.body.append(target);
  ctx.translate(target);

  let depth = 0; // dragenter minus dragleave: the drag is over the page while above 0
  const show = (on) => {
    target.hidden = !on;
  };
  const files = (e) => e.dataTransfer && dragHasFiles(e.dataTransfer.types);
  window.addEventListener('dragenter', (e) => {
    if (!files(e)) return;
    e.preventDefault();
    depth++;
    show(true);
  });
  window.addEventListener('dragover', (e) => {
    if (!files(e)) return;
    e.preventDefault(); // allows the drop
    e.dataTransfer.dropEffect = 'copy';
    show(true);
  });
  window.addEventListener('dragleave', (e) => {
    if (!files(e)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) show(false);
  });
  window.addEventListener('drop', (e) => {
    if (!files(e)) return;
    e.preventDefault(); // not the browser's own opening of the file
    depth = 0;
    show(false);
    const file = e.dataTransfer.files && e.dataTransfer.files[0];
    if (file) onFile(file);
  });
  return target;
}

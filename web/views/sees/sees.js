// views/sees/sees.js: "What the network sees": the steps from the pad to the
// model's input, as the engine's preprocess op made them (ink, bounding
// box, scaled, placed in 28x28, standardized), the warnings it raised
// explained in words, and for a test image, why it needs none of this.
// Every image and number here came from the engine (preprocess,
// getSample); this view only paints them.

import { grayRGBA, divergingRGBA, range } from '../shared/paint.js';
import { warningText } from './pixels.js';

/** Display size of each step, canvas pixels: 6 per data set pixel. */
const VIEW = 168;
const CELL = VIEW / 28;

const TEXTS = {
  en: {
    'sees.title': 'What the network sees',
    'sees.intro': 'The network only ever sees 28×28 numbers. Your drawing is turned into them the way the data set\'s own images were made, step by step. The pad is white ink on black because those images are: bright pixels are ink and get high values, so nothing has to be inverted.',
    'sees.nothing': 'Nothing yet: draw on the pad or pick a test image.',
    'sees.steps': 'From the pad to the network\'s input',
    'sees.ink': '1. Your ink, {w}×{h} pixels, white on black',
    'sees.box': '2. The bounding box: the smallest rectangle around the ink, {w}×{h} pixels',
    'sees.scaled.fashion': '3. The box scaled to {w}×{h}: its longest side becomes 28, as in Fashion-MNIST',
    'sees.scaled.mnist': '3. The box scaled to {w}×{h}: it fits in 20×20, as in MNIST',
    'sees.placed.fashion': '4. Placed in the 28×28 image with the box centred (dashed)',
    'sees.placed.mnist': '4. Placed in the 28×28 image with the centre of mass of the ink at the centre; the box is dashed',
    'sees.placed.empty': 'The 28×28 image: black, there is no ink',
    'sees.gallery': 'Test image #{index}, 28×28: already a data set image',
    'sees.other': 'The current input, 28×28',
    'sees.otherNote': 'Another lesson chose this input: it is already a 28×28 image, so only standardizing remains.',
    'sees.galleryNote': 'This image comes from the data set itself: its authors already cut, scaled and centred it, so the only step left is standardizing.',
    'sees.standard': '5. Standardized: each pixel becomes (value − mean) / std; these {count} numbers are the network\'s input',
    'sees.standardGallery': 'Standardized: each pixel becomes (value − mean) / std; these {count} numbers are the network\'s input',
    'sees.legend': 'Colours: blue below 0, white 0, red above 0. Values from {lo} to {hi}.',
    'sees.meanStd': 'Mean {mean} and standard deviation {std}: those of every pixel of the training images (0–255). The black background is not 0 for the network but {lo}: darker than the average pixel.',
    'sees.meanStdUnknown': 'The mean and standard deviation are those of every pixel of the training images. The black background becomes {lo}: darker than the average pixel.',
    'sees.warnTitle': 'How your drawing differs from the data set',
    'sees.warnNote': 'The network sees the image all the same: these are reasons its guess may be poor.',
    'sees.noWarnings': 'Nothing unusual: the prepared image looks like the data set\'s images in size, position, stroke width and amount of ink.',
    'sees.warn.empty': 'The pad is empty. The network would get a black image with nothing to recognise: draw something first.',
    'sees.warn.tiny': 'The drawing is small: its box is {size} of the pad (less than {limit}). Scaling it up to the data set\'s size blows up the strokes and their blur with it.',
    'sees.warn.edge': 'The ink touches {sides} edge(s) of the pad. Whatever went past the edge is lost, and the box is cut off there.',
    'sees.warn.clipped': 'Centring the ink by its centre of mass pushed {share} of it out of the 28×28 image, which happens with lopsided drawings: the network never sees that part.',
    'sees.warn.offcentre': 'The ink\'s centre of mass is {value} pixels from the image\'s centre; in 99% of the data set\'s images it is within {limit} (typically {typical}). Most of the drawing sits to one side.',
    'sees.warn.thin': 'The strokes are thin: about {value} pixels wide in the 28×28 image, while 95% of the data set\'s images have wider strokes than {limit} (typically {typical}). Try a bigger brush.',
    'sees.warn.sparse': 'There is little ink: it covers {value} of the image, while 99% of the data set\'s images have more than {limit} (typically {typical}). Fill the shape in or use a bigger brush.',
    'sees.warn.hollow': 'The drawing is an outline: {value} of the shape inside the lines is empty, while 99% of the data set\'s images have at most {limit} enclosed and empty (typically {typical}). The network learnt from filled silhouettes: fill the shape in.',
    'sees.warn.other': 'The engine reports something unusual: {code}.',
  },
  zh: {
    'sees.title': '网络看到了什么',
    'sees.intro': '网络能看到的永远只是 28×28 个数字。你的画会按照数据集制作自己图像的方式，一步一步变成这些数字。画板用黑底白墨，因为数据集的图像就是这样：亮的像素是墨迹、数值高，所以不需要反色。',
    'sees.nothing': '还没有内容：在画板上画点什么，或者选一张测试图像。',
    'sees.steps': '从画板到网络的输入',
    'sees.ink': '1. 你的墨迹，{w}×{h} 像素，黑底白色',
    'sees.box': '2. 外接矩形：刚好框住所有墨迹的最小矩形，{w}×{h} 像素',
    'sees.scaled.fashion': '3. 把矩形缩放到 {w}×{h}：长边变成 28，和 Fashion-MNIST 一样',
    'sees.scaled.mnist': '3. 把矩形缩放到 {w}×{h}：正好放进 20×20 的框，和 MNIST 一样',
    'sees.placed.fashion': '4. 放进 28×28 的图像，矩形居中（虚线框）',
    'sees.placed.mnist': '4. 放进 28×28 的图像，让墨迹的质心落在中心；虚线是矩形的位置',
    'sees.placed.empty': '28×28 的图像：全黑，没有墨迹',
    'sees.gallery': '测试图像 #{index}，28×28：本来就是数据集里的图像',
    'sees.other': '当前的输入，28×28',
    'sees.otherNote': '这个输入是别的课程选的：它本来就是 28×28 的图像，所以只剩下标准化这一步。',
    'sees.galleryNote': '这张图像直接来自数据集：制作者已经把它裁剪、缩放并居中了，所以只剩下标准化这一步。',
    'sees.standard': '5. 标准化：每个像素变成 (数值 − 均值) / 标准差；这 {count} 个数字就是网络的输入',
    'sees.standardGallery': '标准化：每个像素变成 (数值 − 均值) / 标准差；这 {count} 个数字就是网络的输入',
    'sees.legend': '颜色：小于 0 为蓝色，等于 0 为白色，大于 0 为红色。数值范围从 {lo} 到 {hi}。',
    'sees.meanStd': '均值 {mean}，标准差 {std}：取自训练图像的全部像素（0–255）。对网络来说，黑色背景不是 0，而是 {lo}：比平均像素更暗。',
    'sees.meanStdUnknown': '均值和标准差取自训练图像的全部像素。黑色背景变成 {lo}：比平均像素更暗。',
    'sees.warnTitle': '你的画和数据集有哪些不同',
    'sees.warnNote': '网络照样会看这张图像；下面这些只是它可能猜错的原因。',
    'sees.noWarnings': '没有异常：处理后的图像在大小、位置、笔画粗细和墨迹多少上都和数据集的图像相近。',
    'sees.warn.empty': '画板是空的。网络只会得到一张全黑、没有任何可辨认内容的图像：请先画点什么。',
    'sees.warn.tiny': '画得太小了：外接矩形只占画板的 {size}（少于 {limit}）。把它放大到数据集的尺寸时，笔画和它的模糊边缘也会一起被放大。',
    'sees.warn.edge': '墨迹碰到了画板的 {sides} 条边。超出边缘的部分丢失了，外接矩形也在那里被截断。',
    'sees.warn.clipped': '按质心居中时，有 {share} 的墨迹被推出了 28×28 的图像，偏向一侧的画常会这样：网络永远看不到这部分。',
    'sees.warn.offcentre': '墨迹的质心离图像中心 {value} 个像素；数据集中 99% 的图像都在 {limit} 以内（通常是 {typical}）。画的大部分偏在一边。',
    'sees.warn.thin': '笔画太细：在 28×28 的图像里只有约 {value} 个像素宽，而数据集中 95% 的图像笔画都比 {limit} 宽（通常是 {typical}）。试试更大的笔刷。',
    'sees.warn.sparse': '墨迹太少：只覆盖了图像的 {value}，而数据集中 99% 的图像都多于 {limit}（通常是 {typical}）。把形状涂满，或用更大的笔刷。',
    'sees.warn.hollow': '这幅画只是轮廓：线条围起来的部分有 {value} 是空的，而数据集中 99% 的图像被围住的空白最多只有 {limit}（通常是 {typical}）。网络学的是实心的剪影：请把形状涂满。',
    'sees.warn.other': '引擎报告了异常情况：{code}。',
  },
};

export function mount(ctx, section) {
  ctx.strings(TEXTS);
  section.innerHTML = `
    <h2 data-i18n="sees.title"></h2>
    <p class="note sees-intro"></p>
    <ol class="sees-steps" data-i18n-attr="aria-label:sees.steps"></ol>
    <div class="sees-legend" hidden>
      <span class="sees-scale" aria-hidden="true"></span>
      <span class="sees-ticks" aria-hidden="true"><span></span><span>0</span><span></span></span>
      <p class="sees-range"></p>
      <p class="note sees-meanstd"></p>
    </div>
    <div class="sees-warn" hidden>
      <h3 data-i18n="sees.warnTitle"></h3>
      <ul class="sees-warnings"></ul>
      <p class="note sees-warn-note"></p>
    </div>`;
  const $ = (s) => section.querySelector(s);
  const steps = $('.sees-steps');
  const intro = $('.sees-intro');
  const legend = $('.sees-legend');
  const warn = $('.sees-warn');
  const warnList = $('.sees-warnings');
  let shown = null; // what is shown: a drawing (preprocess result), a gallery input, or null
  let known = null; // {mean, std}: the last the engine gave

  function text(el, key, vars = {}) {
    el.dataset.i18n = key;
    el.dataset.i18nVars = JSON.stringify(vars);
    ctx.translate(el);
  }

  /** canvas paints RGBA pixels (w x h) into a new canvas of VIEW x VIEW, at cell pixels per pixel or fitted. */
  function picture(rgba, w, h, cell, smooth) {
    const src = document.createElement('canvas');
    src.width = w;
    src.height = h;
    if (w && h) src.getContext('2d').putImageData(new ImageData(rgba, w, h), 0, 0);
    const c = document.createElement('canvas');
    c.width = VIEW;
    c.height = VIEW;
    c.className = 'pixels';
    const g = c.getContext('2d');
    g.fillStyle = '#000';
    g.fillRect(0, 0, VIEW, VIEW);
    const s = cell || Math.min(VIEW / w, VIEW / h);
    const dx = (VIEW - w * s) / 2;
    const dy = (VIEW - h * s) / 2;
    g.imageSmoothingEnabled = Boolean(smooth);
    if (w && h) g.drawImage(src, dx, dy, w * s, h * s);
    return { c, g, s, dx, dy };
  }

  function outline(p, box, dashed) {
    const g = p.g;
    g.save();
    g.strokeStyle = '#ffb000';
    g.lineWidth = 2;
    if (dashed) g.setLineDash([5, 4]);
    g.strokeRect(p.dx + box.x * p.s + 1, p.dy + box.y * p.s + 1, box.w * p.s - 2, box.h * p.s - 2);
    g.restore();
  }

  function step(p, key, vars, name) {
    const li = document.createElement('li');
    li.className = 'sees-step';
    li.dataset.step = name;
    const fig = document.createElement('figure');
    const cap = document.createElement('figcaption');
    text(cap, key, vars);
    p.c.setAttribute('role', 'img');
    p.c.dataset.i18nAttr = `aria-label:${key}`;
    p.c.dataset.i18nVars = JSON.stringify(vars);
    fig.append(p.c, cap);
    li.append(fig);
    steps.append(li);
    ctx.translate(p.c);
  }

  function standardized(pixels, index, gallery) {
    const p = picture(divergingRGBA(pixels), 28, 28, CELL, false);
    step(p, gallery ? 'sees.standardGallery' : 'sees.standard', { count: pixels.length }, 'standardized');
    const { lo, hi } = range(pixels);
    const num = (x) => ctx.fmt.num(x, 2);
    const limit = Math.max(Math.abs(lo), Math.abs(hi)); // the scale's ends, as divergingRGBA paints
    const ticks = $('.sees-ticks').children;
    ticks[0].textContent = num(-limit);
    ticks[2].textContent = num(limit);
    text($('.sees-range'), 'sees.legend', { lo: num(lo), hi: num(hi) });
    const ms = (shown && shown.mean !== undefined ? shown : null) || (ctx.state.dataset.info && ctx.state.dataset.info.mean !== undefined ? ctx.state.dataset.info : null) || known;
    if (ms) text($('.sees-meanstd'), 'sees.meanStd', { mean: num(ms.mean), std: num(ms.std), lo: num(lo) });
    else text($('.sees-meanstd'), 'sees.meanStdUnknown', { lo: num(lo) });
    legend.hidden = false;
  }

  function showWarnings(ws) {
    warnList.innerHTML = '';
    for (const w of ws) {
      const li = document.createElement('li');
      li.dataset.code = w.code;
      const [key, vars] = warningText(w, (x, d) => ctx.fmt.num(x, d));
      text(li, key, vars);
      warnList.append(li);
    }
    const note = $('.sees-warn-note');
    if (ws.length === 0) text(note, 'sees.noWarnings');
    else if (ws.some((w) => w.code === 'empty')) {
      note.textContent = '';
      delete note.dataset.i18n;
    } else text(note, 'sees.warnNote');
    warn.hidden = false;
  }

  function render() {
    steps.innerHTML = '';
    legend.hidden = true;
    warn.hidden = true;
    if (!shown) {
      text(intro, 'sees.nothing');
      section.dataset.source = 'none';
      return;
    }
    section.dataset.source = shown.source;
    if (!shown.steps) {
      // A data set image (the gallery's), or an input another lesson set.
      const gallery = shown.source === 'gallery';
      text(intro, gallery ? 'sees.galleryNote' : 'sees.otherNote');
      step(picture(grayRGBA(shown.image), 28, 28, CELL, false), gallery ? 'sees.gallery' : 'sees.other', { index: shown.index }, 'image');
      standardized(shown.pixels, shown.index, true);
      return;
    }
    text(intro, 'sees.intro');
    const by = Object.fromEntries(shown.steps.map((s) => [s.name, s]));
    const ink = by.ink;
    step(picture(grayRGBA(ink.image), ink.width, ink.height, 0, true), 'sees.ink', { w: ink.width, h: ink.height }, 'ink');
    if (by.box) {
      const p = picture(grayRGBA(ink.image), ink.width, ink.height, 0, true);
      outline(p, by.box.box, false);
      step(p, 'sees.box', { w: by.box.box.w, h: by.box.box.h }, 'box');
    }
    const fit = shown.fit === 'mnist' ? 'mnist' : 'fashion';
    if (by.scaled) {
      const s = by.scaled;
      step(picture(grayRGBA(s.image), s.width, s.height, CELL, false), `sees.scaled.${fit}`, { w: s.width, h: s.height }, 'scaled');
    }
    const placed = by.placed;
    const p = picture(grayRGBA(placed.image), placed.width, placed.height, CELL, false);
    if (placed.box) outline(p, placed.box, true);
    step(p, placed.box ? `sees.placed.${fit}` : 'sees.placed.empty', {}, 'placed');
    if (!shown.empty) standardized(shown.pixels, null, false);
    showWarnings(shown.warnings);
  }

  ctx.on('drawing', (d) => {
    if (d.mean !== undefined) known = { mean: d.mean, std: d.std };
    if (d.empty) {
      shown = d;
      render();
    }
  });
  ctx.on('input', (input) => {
    if (!input) {
      if (shown && !shown.empty) {
        shown = null;
        render();
      }
      return;
    }
    shown = input;
    render();
  });
  ctx.on('dataset', (d) => {
    if (!ctx.state.input && shown && !shown.empty) {
      shown = null;
      render();
    }
  });
  ctx.on('lang', render);
  render();
}

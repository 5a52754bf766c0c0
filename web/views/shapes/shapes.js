// views/shapes/shapes.js: where the model's numbers come from. Per layer the
// output-size formula and the parameter formula with that layer's own
// numbers, running totals, the Keras summary, the shares of parameters and
// of multiply-adds, and why the filters double after pooling. Every figure
// is describeLayers' (the engine's); this view only writes them out.

import { followModel } from '../shared/model.js';
import { esc, shapeText } from '../../format.js';
import { sizeFormula, paramFormula, flattenFormula, areaFormula, percent, SIZE_SYMBOLIC } from './format.js';
import { mountTry } from './trylayer.js';
import { TEXTS } from './strings.js';

export function mount(ctx, section) {
  ctx.strings(TEXTS);
  const t = ctx.t;
  const n = (x) => ctx.fmt.count(x);
  section.innerHTML = `
    <h2 data-i18n="shapes.title"></h2>
    <p class="note" data-i18n="shapes.intro"></p>
    <div class="shapes-body"></div>
    <div class="shapes-try"></div>`;
  ctx.translate(section);
  mountTry(ctx, section.querySelector('.shapes-try'));
  const body = section.querySelector('.shapes-body');
  let info = null;
  let failed = null;

  function render() {
    if (!info) {
      body.innerHTML = `<p class="note">${esc(failed || t('shapes.waiting'))}</p>`;
      return;
    }
    body.innerHTML = `
      <h3 data-i18n="shapes.sizeTitle"></h3>
      <p><code class="shapes-symbolic">${SIZE_SYMBOLIC}</code></p>
      <p class="note" data-i18n="shapes.sizeHelp"></p>
      <div class="table-wrap"><table class="shapes-table shapes-sizes">
        <thead><tr>
          <th scope="col" data-i18n="shapes.col.layer"></th>
          <th scope="col" data-i18n="shapes.col.size"></th>
          <th scope="col" data-i18n="shapes.col.out"></th>
        </tr></thead>
        <tbody>
          <tr class="shapes-input"><th scope="row" data-i18n="shapes.input"></th><td class="formula">—</td><td class="mono">${shapeText(info.input)}</td></tr>
          ${info.layers.map(sizeRow).join('')}
        </tbody>
      </table></div>
      <p class="note shapes-floor"></p>
      <h3 data-i18n="shapes.paramsTitle"></h3>
      <p class="note" data-i18n="shapes.paramsHelp"></p>
      <div class="table-wrap"><table class="shapes-table shapes-params">
        <thead><tr>
          <th scope="col" data-i18n="shapes.col.layer"></th>
          <th scope="col" data-i18n="shapes.col.formula"></th>
          <th scope="col" class="num" data-i18n="shapes.col.params"></th>
          <th scope="col" class="num" data-i18n="shapes.col.cum"></th>
        </tr></thead>
        <tbody>${info.layers.map(paramRow).join('')}</tbody>
        <tfoot><tr><th scope="row" colspan="2" data-i18n="shapes.total"></th><td class="num" data-total="${info.totalParams}">${n(info.totalParams)}</td><td></td></tr></tfoot>
      </table></div>
      <details class="shapes-keras">
        <summary data-i18n="shapes.keras"></summary>
        <pre class="shapes-summary"></pre>
      </details>

      <h3 data-i18n="shapes.shareTitle"></h3>
      <p class="shapes-share-text"></p>
      <p class="shapes-reuse-text"></p>
      <div class="shapes-legend"><span class="sw params"></span><span data-i18n="shapes.share.params"></span><span class="sw macs"></span><span data-i18n="shapes.share.macs"></span></div>
      <ol class="shapes-shares">${info.layers.filter((l) => l.params || l.macs).map(shareRow).join('')}</ol>

      <h3 data-i18n="shapes.doubleTitle"></h3>
      <p class="shapes-double-text"></p>
      <p class="shapes-why-text"></p>
      <ol class="shapes-area">${info.layers.filter((l) => l.area).map(areaRow).join('')}</ol>`;
    ctx.translate(body);
    body.querySelector('.shapes-summary').textContent = ctx.state.model ? ctx.state.model.summary : '';
    body.querySelector('.shapes-floor').textContent = floorText();
    const share = shareText();
    body.querySelector('.shapes-share-text').textContent = share.main;
    body.querySelector('.shapes-reuse-text').textContent = share.reuse;
    const double = doubleText();
    body.querySelector('.shapes-double-text').textContent = double.main;
    body.querySelector('.shapes-why-text').textContent = double.why;
  }

  /** sizeRow is one layer's output size: its formula with its numbers. */
  function sizeRow(l) {
    let size = '—';
    let cls = '';
    if (l.size) {
      const f = sizeFormula(l.size);
      size = esc(f.text);
      if (l.size.width) size += `<br>${esc(sizeFormula(l.size.width).text)}`;
      if (f.floored) cls = ' floored';
    } else if (l.type === 'Flatten') {
      size = esc(flattenFormula(l.inShape, l.values));
    } else if (l.type === 'Dense') {
      size = esc(t('shapes.units', { n: n(l.units) }));
    }
    return `<tr data-layer="${l.index}" data-name="${esc(l.name)}" data-out="${l.size ? l.size.out : l.values}">
      <th scope="row"><span class="mono">${esc(l.name)}</span><br><span class="muted">${esc(l.type)}</span></th>
      <td class="formula${cls}">${size}</td>
      <td class="mono">${shapeText(l.outShape)}</td>
    </tr>`;
  }

  /** paramRow is one layer's parameter count: its formula, the count and the running total. */
  function paramRow(l) {
    const formula = l.count ? esc(paramFormula(l.type, l.count, l.params)) : esc(t('shapes.noParams'));
    return `<tr data-layer="${l.index}" data-name="${esc(l.name)}" data-params="${l.params}"${l.params ? '' : ' class="none"'}>
      <th scope="row"><span class="mono">${esc(l.name)}</span> <span class="muted">${esc(l.type)}</span></th>
      <td class="formula">${formula}</td>
      <td class="num">${n(l.params)}</td>
      <td class="num">${n(l.paramsCum)}</td>
    </tr>`;
  }

  function shareRow(l) {
    const p = percent(l.paramShare);
    const m = percent(l.macShare);
    return `<li data-name="${esc(l.name)}">
      <span class="mono name">${esc(l.name)}</span>
      <span class="bars">
        <span class="bar params" data-w="${l.paramShare}" title="${esc(t('shapes.share.paramsOf', { name: l.name, n: n(l.params), p }))}"></span>
        <span class="val">${p}</span>
        <span class="bar macs" data-w="${l.macShare}" title="${esc(t('shapes.share.macsOf', { name: l.name, n: n(l.macs), p: m }))}"></span>
        <span class="val">${m}</span>
      </span>
    </li>`;
  }

  function areaRow(l) {
    return `<li data-name="${esc(l.name)}" class="${l.type === 'MaxPooling2D' || l.type === 'AveragePooling2D' ? 'pool' : ''}">
      <span class="mono name">${esc(l.name)}</span>
      <span class="bar" data-w="${l.values}"></span>
      <span class="mono val">${esc(areaFormula(l))}</span>
    </li>`;
  }

  /** floorText points at the layers whose size formula floors (7 -> 3). */
  function floorText() {
    const floored = info.layers.filter((l) => l.size && !l.size.transposed && l.size.quotient !== Math.floor(l.size.quotient));
    if (!floored.length) return t('shapes.noFloor');
    const l = floored[0];
    return t('shapes.floor', { name: l.name, n: l.size.n, q: l.size.quotient, out: l.size.out, k: l.size.k });
  }

  function group(kind) {
    return info.groups.find((g) => g.kind === kind) || { layers: 0, params: 0, macs: 0, paramShare: 0, macShare: 0 };
  }

  function shareText() {
    const conv = group('conv');
    const dense = group('dense');
    const parts = [t('shapes.share.total', { params: n(info.totalParams), macs: n(info.totalMacs) })];
    if (conv.layers) parts.push(t('shapes.share.conv', { k: conv.layers, macs: percent(conv.macShare), params: percent(conv.paramShare) }));
    if (dense.layers) parts.push(t('shapes.share.dense', { k: dense.layers, macs: percent(dense.macShare), params: percent(dense.paramShare) }));
    const flat = info.layers.findIndex((l) => l.type === 'Flatten');
    const first = flat >= 0 ? info.layers.slice(flat).find((l) => l.type === 'Dense') : null;
    if (first) parts.push(t('shapes.share.first', { name: first.name, params: n(first.params), p: percent(first.paramShare), m: percent(first.macShare) }));
    const convs = info.layers.filter((l) => l.type === 'Conv2D');
    let reuse = '';
    if (convs.length && first) {
      const big = convs.reduce((a, b) => (b.params > a.params ? b : a));
      reuse = t('shapes.share.reuse', { name: big.name, params: n(big.params), area: n(big.area), macs: n(big.macs), dense: first.name, dmacs: n(first.macs) });
    }
    return { main: parts.join(' '), reuse };
  }

  function doubleText() {
    const ls = info.layers;
    const pi = ls.findIndex((l, i) => i > 0 && (l.type === 'MaxPooling2D' || l.type === 'AveragePooling2D') && ls[i - 1].area);
    if (pi < 0) return { main: t('shapes.double.none'), why: '' };
    const before = ls[pi - 1];
    const pool = ls[pi];
    const conv = ls.slice(pi + 1).find((l) => l.type === 'Conv2D');
    const vars = {
      prev: before.name, a0: n(before.area), c0: n(before.channels), v0: n(before.values),
      pool: pool.name, a1: n(pool.area), v1: n(pool.values),
    };
    let text = t('shapes.double.pool', vars);
    if (!conv) return { main: text, why: '' };
    const more = conv.channels > pool.channels;
    text += ` ${t(more ? 'shapes.double.more' : 'shapes.double.same', { ...vars, conv: conv.name, c2: n(conv.channels), v2: n(conv.values), a2: n(conv.area) })}`;
    return { main: text, why: more ? t('shapes.double.why') : '' };
  }

  /** sizeBars sets the bars' widths (CSSOM, not style attributes: the page's CSP allows no inline styles). */
  function sizeBars() {
    for (const bar of body.querySelectorAll('.shapes-shares .bar')) bar.style.width = `${Math.max(Number(bar.dataset.w) * 100, 0.4)}%`;
    const areas = [...body.querySelectorAll('.shapes-area .bar')];
    const top = Math.max(...areas.map((b) => Number(b.dataset.w)), 1);
    for (const bar of areas) bar.style.width = `${(Number(bar.dataset.w) / top) * 100}%`;
  }

  followModel(ctx, (m) => {
    info = m.info;
    failed = m.error;
    render();
    if (m.described) sizeBars();
  });
  ctx.on('lang', () => {
    render();
    sizeBars();
  });
}

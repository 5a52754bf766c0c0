// saved.js: the list of saved models (store.js records) in the page. It only
// draws: app.js owns the state and passes the actions, each called with the
// record whose button was pressed.

import { savedText } from './format.js';

/**
 * renderSaved fills the list element with one item per record, newest
 * first: its name, a line of facts (date, data set, metrics, size), its
 * architecture and the buttons Load, Download and Delete.
 *
 * @param {HTMLElement} list an <ol> or <ul>
 * @param {Array<object>} records as store.list() gives them
 * @param {{load: Function, download: Function, remove: Function}} actions
 */
export function renderSaved(list, records, actions) {
  const items = records.map((r) => {
    const li = document.createElement('li');
    li.dataset.id = String(r.id);
    const name = document.createElement('strong');
    name.className = 'saved-name';
    name.textContent = r.name;
    const facts = document.createElement('span');
    facts.className = 'saved-facts';
    facts.textContent = savedText(r);
    const arch = document.createElement('span');
    arch.className = 'saved-arch';
    arch.textContent = r.arch;
    const buttons = document.createElement('span');
    buttons.className = 'saved-actions';
    for (const [action, key, label] of [
      ['load', 'saved.load', 'Load'],
      ['download', 'saved.download', 'Download'],
      ['remove', 'saved.delete', 'Delete'],
    ]) {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.action = action;
      b.dataset.i18n = key;
      b.textContent = label;
      b.addEventListener('click', () => actions[action](r));
      buttons.append(b);
    }
    li.append(name, facts, arch, buttons);
    return li;
  });
  list.replaceChildren(...items);
}

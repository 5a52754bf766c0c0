// i18n.js: the page's two languages, English and Simplified Chinese.
//
// Each view keeps its texts in views/<panel>/strings.js, exported as
// TEXTS = {en: {...}, zh: {...}}, and registers them with strings(TEXTS)
// when it mounts; keys are "<view>.<thing>". t(key, vars) gives the text in the current
// language with "{name}" placeholders filled from vars. A key missing in
// Chinese falls back to English and is reported once with console.warn, so
// the browser tests catch untranslated labels. DOM-free except translate(),
// which takes any element with querySelectorAll.

export const LANGS = ['en', 'zh'];

const texts = { en: {}, zh: {} };
const warned = new Set();
let lang = 'en';

/** strings registers texts; a later registration of the same key wins. */
export function strings(dict) {
  for (const l of LANGS) Object.assign(texts[l], dict[l] || {});
}

export function getLang() {
  return lang;
}

/** setLang switches the language; an unknown one is refused. */
export function setLang(l) {
  if (!LANGS.includes(l)) throw new Error(`i18n: unknown language ${JSON.stringify(l)}`);
  lang = l;
}

/** pickLang chooses the language at a first visit from the browser's list. */
export function pickLang(languages = []) {
  for (const l of languages) {
    const base = String(l).toLowerCase().split('-')[0];
    if (LANGS.includes(base)) return base;
  }
  return 'en';
}

/** t is key's text in the current language, placeholders filled. */
export function t(key, vars = {}) {
  let s = texts[lang][key];
  if (s === undefined) {
    s = texts.en[key];
    if (!warned.has(`${lang}:${key}`)) {
      warned.add(`${lang}:${key}`);
      console.warn(`i18n: no ${lang} text for ${key}`);
    }
    if (s === undefined) return key;
  }
  return fill(s, vars, lang);
}

/**
 * fill puts vars into text s of language l: "{name}" is the value, and
 * "{name:one=# way|other=# ways}" picks the form of the value's plural
 * category (Intl.PluralRules of l; a count written "1,234" counts as 1234),
 * with "#" standing for the value. A form may not hold braces.
 */
export function fill(s, vars, l = lang) {
  const rules = new Intl.PluralRules(l === 'zh' ? 'zh' : 'en');
  s = s.replace(/\{(\w+):([^{}]*)\}/g, (m, name, spec) => {
    if (!(name in vars)) return m;
    const forms = Object.fromEntries(spec.split('|').map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)]));
    const n = Number(String(vars[name]).replace(/[,\s]/g, ''));
    const form = forms[Number.isFinite(n) ? rules.select(n) : 'other'] ?? forms.other ?? '';
    return form.replace(/#/g, String(vars[name]));
  });
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** has reports whether key has a text in language l. */
export function has(key, l = lang) {
  return texts[l][key] !== undefined;
}

/** textIn is key's registered text in language l, or undefined. */
export function textIn(l, key) {
  return texts[l] && texts[l][key];
}

/** keys lists every registered key of language l. */
export function keys(l = 'en') {
  return Object.keys(texts[l]);
}

/**
 * translate applies the current language under root: an element with
 * data-i18n="key" gets t(key) as its text; data-i18n-attr="title:k1;aria-label:k2"
 * sets attributes. data-i18n-vars holds JSON placeholders for both.
 */
export function translate(root) {
  const vars = (el) => (el.dataset.i18nVars ? JSON.parse(el.dataset.i18nVars) : {});
  const all = (sel) => [...(root.matches && root.matches(sel) ? [root] : []), ...root.querySelectorAll(sel)];
  for (const el of all('[data-i18n]')) el.textContent = t(el.dataset.i18n, vars(el));
  for (const el of all('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, t(key, vars(el)));
    }
  }
}

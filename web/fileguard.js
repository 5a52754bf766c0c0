// fileguard.js: opened as a file (file://), the page cannot start: the
// browser refuses its module scripts (app.js) and its worker from a file's
// null origin, and the page would say "Starting the engine..." forever. This
// classic script, which a browser does run from a file, says instead, in one
// line, how to serve it. Served over HTTP it does nothing. It cannot load
// i18n.js (a module), so it carries its own two texts and picks one as the
// page does: ?lang=, the language chosen before, or the browser's.
(function () {
  if (location.protocol !== 'file:') return;
  var texts = {
    en: 'This page must be served, not opened as a file: run make serve in the convplay folder (or any static web server in web/) and open the address it prints.',
    zh: '本页需要通过网页服务器打开，不能直接作为文件打开：在 convplay 目录里运行 make serve（或在 web/ 目录里运行任意静态网页服务器），再打开它显示的地址。',
  };
  var lang = new URLSearchParams(location.search).get('lang');
  try {
    lang = lang || localStorage.getItem('convplay.lang');
  } catch (err) {
    // a file's storage may be refused; the browser's language decides
  }
  if (!texts[lang]) {
    var first = String((navigator.languages && navigator.languages[0]) || navigator.language || 'en');
    lang = first.toLowerCase().split('-')[0] === 'zh' ? 'zh' : 'en';
  }
  document.documentElement.lang = lang === 'zh' ? 'zh-Hans' : 'en';
  document.body.dataset.engine = 'unserved';
  var status = document.getElementById('status');
  var text = document.getElementById('status-text');
  if (status) status.dataset.state = 'crashed';
  if (text) {
    text.removeAttribute('data-i18n');
    text.textContent = texts[lang];
  }
})();

// Cross-origin isolation for static hosts that cannot send headers (GitHub
// Pages, a school's plain web server, python3 -m http.server).
//
// The page trains on several Web Workers only when it is cross-origin
// isolated, which takes two response headers: Cross-Origin-Opener-Policy:
// same-origin and Cross-Origin-Embedder-Policy: require-corp. Hosts that
// read a _headers file (Netlify, Cloudflare Pages) send them; on the others
// this file does. make dist adds it to dist/index.html as a classic script
// before app.js. It is the same file in two roles:
//
//   - In the page: when the page is not isolated, it registers itself as a
//     service worker and, once that worker is active, reloads the page once,
//     so that the page comes through the worker. When the page is isolated
//     already (the host sends the headers) it does nothing.
//   - As the service worker: it answers every same-origin request with the
//     network's response plus the two headers (and Cross-Origin-Resource-
//     Policy: same-origin), and leaves other origins' requests alone.
//
// The reload happens once per tab session (sessionStorage): if the page is
// still not isolated afterwards (a browser without service workers, a hard
// reload that bypasses them), it runs on one worker and says so.
// Written for convplay in the manner of coi-serviceworker (MIT).

/* global self, window, document, navigator, sessionStorage, location */

if (typeof window === 'undefined') {
  // The service worker.
  self.addEventListener('install', () => self.skipWaiting());
  self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
  self.addEventListener('fetch', (event) => {
    const request = event.request;
    if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
    if (new URL(request.url).origin !== self.location.origin) return;
    event.respondWith(isolated(request));
  });
} else {
  registerForIsolation();
}

// isolated fetches a request and adds the isolation headers to its response.
async function isolated(request) {
  const response = await fetch(request);
  if (response.status === 0) return response; // opaque: nothing to add to
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

// registerForIsolation runs in the page: see the top of the file.
function registerForIsolation() {
  const reloaded = 'convplay-coi-reloaded';
  if (window.crossOriginIsolated || !window.isSecureContext || !('serviceWorker' in navigator)) return;
  const script = document.currentScript.src;
  navigator.serviceWorker.register(script).then(() => navigator.serviceWorker.ready).then(() => {
    if (window.crossOriginIsolated || sessionStorage.getItem(reloaded)) return;
    sessionStorage.setItem(reloaded, '1');
    location.reload();
  }, (err) => {
    console.warn('convplay: no cross-origin isolation service worker:', err);
  });
}

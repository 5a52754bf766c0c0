// nav.js: the lessons' table of contents (index.html's .lessons-nav) marks
// the lesson in view with aria-current="location", so on a long page the
// student sees where they are and where the next lesson is; style.css keeps
// the nav at the top of the window. currentIndex is the DOM-free rule.

/**
 * currentIndex is the index of the lesson in view: the last one whose top
 * (in window coordinates, in document order) is at or above line (the
 * nav's bottom plus a little), or -1 above the first.
 */
export function currentIndex(tops, line) {
  let k = -1;
  for (let i = 0; i < tops.length; i++) if (tops[i] <= line) k = i;
  return k;
}

/** trackNav keeps nav's links marked as the window scrolls. */
export function trackNav(nav) {
  const links = [...nav.querySelectorAll('a[href^="#"]')];
  const targets = links.map((a) => document.getElementById(a.getAttribute('href').slice(1)));
  let frame = 0;
  const update = () => {
    frame = 0;
    const line = nav.getBoundingClientRect().bottom + 24;
    const k = currentIndex(targets.map((t) => (t ? t.getBoundingClientRect().top : Infinity)), line);
    links.forEach((a, i) => {
      if (i === k) {
        if (a.getAttribute('aria-current') !== 'location') {
          a.setAttribute('aria-current', 'location');
          a.scrollIntoView({ block: 'nearest', inline: 'nearest' }); // the nav's row scrolls on a phone
        }
      } else a.removeAttribute('aria-current');
    });
  };
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(update);
  };
  addEventListener('scroll', schedule, { passive: true });
  addEventListener('resize', schedule);
  update();
  return update;
}

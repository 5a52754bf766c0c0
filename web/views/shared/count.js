// count.js: how the page numbers things for students. Filters, channels,
// rows, columns, units and positions are counted from 1 everywhere the
// page names one (an index i in the engine's arrays is shown as nth(i));
// test images keep the data set's own index (#0 is the file's first image,
// as the URL's img= and NumPy say), and classes their label.

/** nth is how a student counts the 0-based index i: from 1. */
export const nth = (i) => i + 1;

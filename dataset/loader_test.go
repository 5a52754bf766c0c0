package dataset

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLoaderStreaming feeds chunks out of order and checks what is
// available after each: only the leading samples whose images and labels
// have both arrived.
func TestLoaderStreaming(t *testing.T) {
	f := newFixture(Counts{Train: 5, Validation: 2, Test: 3}, 2)
	d, err := NewLoader(f.json(t))
	require.NoError(t, err)
	steps := []struct {
		file string
		want Counts
	}{
		{"train-01-images.u8.gz", Counts{}},                  // samples 2..3, but 0..1 are missing
		{"train-00-images.u8.gz", Counts{}},                  // no labels yet
		{"train-00-labels.u8.gz", Counts{Train: 2}},          // 0..1 complete
		{"train-01-labels.u8.gz", Counts{Train: 4}},          // 0..3 complete
		{"test-00-labels.u8.gz", Counts{Train: 4}},           // labels alone
		{"test-00-images.u8.gz", Counts{Train: 4, Test: 2}},  //
		{"train-02-labels.u8.gz", Counts{Train: 4, Test: 2}}, // the last, short chunk: 1 sample
		{"train-02-images.u8.gz", Counts{Train: 5, Test: 2}}, //
		{"validation-00-images.u8.gz", Counts{Train: 5, Test: 2}},
		{"validation-00-labels.u8.gz", Counts{Train: 5, Validation: 2, Test: 2}},
		{"train-02-images.u8.gz", Counts{Train: 5, Validation: 2, Test: 2}}, // again: no effect
		{"test-01-images.u8.gz", Counts{Train: 5, Validation: 2, Test: 2}},
	}
	for _, s := range steps {
		require.NoError(t, d.AddChunk(s.file, f.files[s.file]), s.file)
		assert.Equal(t, s.want, d.Available(), "after %s", s.file)
		train, err := d.Split(Train)
		require.NoError(t, err)
		assert.Equal(t, s.want.Train, train.Len())
	}
	assert.False(t, d.Complete())
	assert.Equal(t, []string{"test-01-labels.u8.gz"}, d.Missing())
	require.NoError(t, d.AddChunk("test-01-labels.u8.gz", f.files["test-01-labels.u8.gz"]))
	assert.True(t, d.Complete())
	assert.Equal(t, Counts{Train: 5, Validation: 2, Test: 3}, d.Available())
}

// TestAddChunkCorrupt damages one file in each way a download or a disk can
// and checks that the error names the file and the damage, and that nothing
// of it becomes available.
func TestAddChunkCorrupt(t *testing.T) {
	const name = "train-00-images.u8.gz"
	tests := []struct {
		name   string
		file   string
		damage func(f *fixture) []byte // returns the bytes to add
		reason string
	}{
		{"truncated download", name, func(f *fixture) []byte {
			return f.files[name][:len(f.files[name])-5]
		}, "truncated or wrong file"},
		{"extra byte", name, func(f *fixture) []byte {
			return append(append([]byte(nil), f.files[name]...), 0)
		}, "size"},
		{"empty file", name, func(f *fixture) []byte { return nil }, "size 0 bytes"},
		{"flipped bit", name, func(f *fixture) []byte {
			b := append([]byte(nil), f.files[name]...)
			b[len(b)/2] ^= 0x10
			return b
		}, "damaged file"},
		{"swapped with another chunk of the same size", name, func(f *fixture) []byte {
			return f.files["train-01-images.u8.gz"]
		}, "sha256"},
		{"not in the manifest", "train-09-images.u8.gz", func(f *fixture) []byte {
			return f.files[name]
		}, "not a file of the manifest"},
		{"not gzip", name, func(f *fixture) []byte {
			f.replace(name, []byte{10, 10, 10, 10, 11, 11, 11, 11})
			return f.files[name]
		}, "not gzip"},
		{"gzip of too few bytes", name, func(f *fixture) []byte {
			f.replace(name, gz([]byte{10, 10, 10, 10, 11, 11, 11}))
			return f.files[name]
		}, "decompressed to 7 bytes, want 8"},
		{"gzip of too many bytes", name, func(f *fixture) []byte {
			f.replace(name, gz(make([]byte, 9)))
			return f.files[name]
		}, "more than 8 bytes"},
		{"gzip stream cut short", name, func(f *fixture) []byte {
			b := gz(make([]byte, 8))
			f.replace(name, b[:len(b)-4])
			return f.files[name]
		}, "unexpected EOF"},
		{"label out of range", "train-00-labels.u8.gz", func(f *fixture) []byte {
			f.replace("train-00-labels.u8.gz", gz([]byte{0, 3}))
			return f.files["train-00-labels.u8.gz"]
		}, "sample 1: label 3, but there are 3 classes"},
		{"label 255", "train-01-labels.u8.gz", func(f *fixture) []byte {
			f.replace("train-01-labels.u8.gz", gz([]byte{255, 0}))
			return f.files["train-01-labels.u8.gz"]
		}, "sample 2: label 255"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(Counts{Train: 5, Validation: 2, Test: 3}, 2)
			data := tt.damage(f)
			d, err := NewLoader(f.json(t))
			require.NoError(t, err)
			for n, b := range f.files { // every other file is fine
				if n != tt.file {
					require.NoError(t, d.AddChunk(n, b))
				}
			}
			err = d.AddChunk(tt.file, data)
			var ce *CorruptError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.file, ce.File)
			assert.Contains(t, ce.Reason, tt.reason)
			assert.Contains(t, err.Error(), "dataset: "+tt.file+": ")
			if tt.file == name {
				assert.Equal(t, 0, d.Available().Train, "nothing of a rejected chunk is used")
			}
		})
	}
}

// Version 2 streams the same samples, its images in pixcode; a damaged
// pixcode file is an error naming it, and nothing of it is used.
func TestLoaderPixcode(t *testing.T) {
	v1 := newFixture(Counts{Train: 5, Validation: 2, Test: 3}, 2)
	v2 := newPixcodeFixture(Counts{Train: 5, Validation: 2, Test: 3}, 2)
	want := load(t, v1)
	got := load(t, v2)
	for _, s := range SplitNames {
		a, _ := want.Split(s)
		b, _ := got.Split(s)
		require.Equal(t, a.Len(), b.Len())
		for i := range a.Len() {
			assert.Equal(t, a.Image(i), b.Image(i), "%s %d", s, i)
			assert.Equal(t, a.Label(i), b.Label(i))
		}
	}

	const name = "train-01-images.cpx"
	tests := []struct {
		name   string
		damage func(b []byte) []byte
		reason string
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)-3] }, "pixcode: "},
		{"gzip instead", func([]byte) []byte { return gz([]byte{12, 12, 12, 12, 13, 13, 13, 13}) }, "not a pixcode stream"},
		{"another chunk's images", func([]byte) []byte { return v2.files["train-02-images.cpx"] }, "holds 1 images of 2x2, want 2 of 2x2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newPixcodeFixture(Counts{Train: 5, Validation: 2, Test: 3}, 2)
			f.replace(name, tt.damage(bytes.Clone(f.files[name])))
			d, err := NewLoader(f.json(t))
			require.NoError(t, err)
			require.NoError(t, d.AddChunk("train-00-images.cpx", f.files["train-00-images.cpx"]))
			require.NoError(t, d.AddChunk("train-00-labels.u8.gz", f.files["train-00-labels.u8.gz"]))
			require.NoError(t, d.AddChunk("train-01-labels.u8.gz", f.files["train-01-labels.u8.gz"]))
			err = d.AddChunk(name, f.files[name])
			var ce *CorruptError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, name, ce.File)
			assert.Contains(t, ce.Reason, tt.reason)
			assert.Equal(t, 2, d.Available().Train, "the chunks before stay, the bad one is not used")
		})
	}
}

// Rounded images load as packed, and the manifest's step is checked
// against the pixels: pixcode's header, each pixel of a gzip file.
func TestLoaderRounded(t *testing.T) {
	counts := Counts{Train: 5, Validation: 2, Test: 3}
	d := load(t, newRoundedFixture(counts, 2, 5))
	assert.Equal(t, 5, d.Manifest.SplitStep(Train))
	assert.Equal(t, 5, d.Manifest.SplitStep(Validation))
	assert.Equal(t, 1, d.Manifest.SplitStep(Test))
	for _, s := range SplitNames {
		sp, _ := d.Split(s)
		for i := range sp.Len() {
			want := byte(fixtureBase[s] + i)
			if s != Test {
				want = roundedPixel(fixtureBase[s]+i, 5)
			}
			assert.Equal(t, []uint8{want, want, want, want}, sp.Image(i), "%s %d", s, i)
		}
	}

	stepOf := func(f *fixture, name string) *File {
		for i := range f.manifest.Files {
			if f.manifest.Files[i].Name == name {
				return &f.manifest.Files[i]
			}
		}
		t.Fatalf("no file %s", name)
		return nil
	}
	t.Run("pixcode of another step", func(t *testing.T) {
		f := newRoundedFixture(counts, 2, 5)
		stepOf(f, "train-00-images.cpx").Step = 15
		d, err := NewLoader(f.json(t))
		require.NoError(t, err)
		assert.ErrorContains(t, d.AddChunk("train-00-images.cpx", f.files["train-00-images.cpx"]),
			"train-00-images.cpx: pixcode: pixels in steps of 5, want 15")
	})
	t.Run("gzip pixels off the step", func(t *testing.T) {
		f := newFixture(counts, 2)
		for i := range f.manifest.Files {
			f.manifest.Files[i].Encoding = Gzip
		}
		f.manifest.Version = 2
		stepOf(f, "train-01-images.u8.gz").Step = 3 // pixels 12 and 13
		d, err := NewLoader(f.json(t))
		require.NoError(t, err)
		err = d.AddChunk("train-01-images.u8.gz", f.files["train-01-images.u8.gz"])
		var ce *CorruptError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, "sample 3: pixel 0 is 13, not a multiple of the manifest's step 3", ce.Reason)
		assert.Equal(t, 0, d.Available().Train)
	})
}

func load(t *testing.T, f *fixture) *Dataset {
	t.Helper()
	d, err := NewLoader(f.json(t))
	require.NoError(t, err)
	for _, file := range f.manifest.Files {
		require.NoError(t, d.AddChunk(file.Name, f.files[file.Name]))
	}
	require.True(t, d.Complete())
	return d
}

func writeFixture(t *testing.T, f *fixture) string {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, ManifestName), f.json(t), 0o644))
	for n, b := range f.files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), b, 0o644))
	}
	return dir
}

func TestOpen(t *testing.T) {
	f := newFixture(Counts{Train: 5, Validation: 2, Test: 3}, 2)
	d, err := Open(writeFixture(t, f))
	require.NoError(t, err)
	assert.True(t, d.Complete())
	assert.Equal(t, Counts{Train: 5, Validation: 2, Test: 3}, d.Available())
	assert.Equal(t, []Class{{"zero", "零"}, {"one", "一"}, {"two", "二"}}, d.ClassNames())
}

func TestOpenCorrupt(t *testing.T) {
	tests := []struct {
		name   string
		damage func(dir string)
		file   string
		reason string
	}{
		{"missing manifest", func(dir string) { os.Remove(filepath.Join(dir, ManifestName)) },
			ManifestName, "missing in"},
		{"bad manifest", func(dir string) { os.WriteFile(filepath.Join(dir, ManifestName), []byte(`{"format": 1}`), 0o644) },
			ManifestName, "cannot unmarshal number"},
		{"missing chunk", func(dir string) { os.Remove(filepath.Join(dir, "test-01-labels.u8.gz")) },
			"test-01-labels.u8.gz", "missing in"},
		{"truncated chunk", func(dir string) { os.Truncate(filepath.Join(dir, "validation-00-images.u8.gz"), 10) },
			"validation-00-images.u8.gz", "size 10 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFixture(t, newFixture(Counts{Train: 5, Validation: 2, Test: 3}, 2))
			tt.damage(dir)
			_, err := Open(dir)
			var ce *CorruptError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.file, ce.File)
			assert.Contains(t, ce.Reason, tt.reason)
		})
	}
}

// FuzzAddChunk feeds arbitrary bytes as each file of a valid manifest: the
// loader must reject them or accept exactly the fixture's own bytes.
func FuzzAddChunk(f *testing.F) {
	fx := newFixture(Counts{Train: 3, Validation: 1, Test: 1}, 2)
	mj := fx.json(f)
	names := []string{}
	for _, file := range fx.manifest.Files {
		names = append(names, file.Name)
		f.Add(uint8(len(names)-1), fx.files[file.Name])
	}
	for _, px := range []*fixture{newPixcodeFixture(Counts{Train: 3, Validation: 1, Test: 1}, 2),
		newRoundedFixture(Counts{Train: 3, Validation: 1, Test: 1}, 2, 5)} {
		for _, file := range px.manifest.Files {
			if file.Encoding == Pixcode {
				f.Add(uint8(0), px.files[file.Name])
			}
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		d, err := NewLoader(mj)
		require.NoError(t, err)
		// the decompressions alone, past the hash check
		_ = decompress(make([]byte, 8), data, Gzip, 1, []int{2, 2, 1})
		_ = decompress(make([]byte, 8), data, Pixcode, 1, []int{2, 2, 1})
		_ = decompress(make([]byte, 8), data, Pixcode, 5, []int{2, 2, 1})
		name := names[int(which)%len(names)]
		if err := d.AddChunk(name, data); err != nil {
			return
		}
		require.Equal(t, fx.files[name], data)
	})
}

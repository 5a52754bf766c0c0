package dataset

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"convplay/internal/pixcode"
)

// CorruptError reports a data set file that does not match its manifest, or
// a malformed manifest. File is the file's name as the manifest lists it.
type CorruptError struct {
	File   string
	Reason string
}

func (e *CorruptError) Error() string {
	return "dataset: " + e.File + ": " + e.Reason
}

func corrupt(file, format string, args ...any) *CorruptError {
	return &CorruptError{File: file, Reason: fmt.Sprintf(format, args...)}
}

// Dataset is a packed data set whose files have been verified so far: every
// file Open read, or those AddChunk has accepted. Images stay uint8 in
// memory; Split serves them standardized.
type Dataset struct {
	Manifest *Manifest

	lut    [256]float32            // lut[p] = (p - mean) / std
	splits map[string]*splitBuffer // by split name
	files  map[string]*chunk       // by file name
}

// splitBuffer holds one split's samples, filled chunk by chunk.
type splitBuffer struct {
	n      int
	images []uint8 // (n, H, W, C), allocated on the first chunk
	labels []uint8 // (n)
	chunks [2][]*chunk
}

// chunk is one file of the manifest and where its bytes go.
type chunk struct {
	File
	first int  // index of its first sample in the split
	done  bool // verified and copied in
}

// NewLoader starts a Dataset whose files arrive one at a time through
// AddChunk, as they do in the Web Worker. It validates the manifest.
func NewLoader(manifestJSON []byte) (*Dataset, error) {
	m, err := ParseManifest(manifestJSON)
	if err != nil {
		return nil, err
	}
	d := &Dataset{Manifest: m, splits: map[string]*splitBuffer{}, files: map[string]*chunk{}}
	for p := range d.lut {
		d.lut[p] = float32((float64(p) - m.Mean) / m.Std)
	}
	for _, s := range SplitNames {
		d.splits[s] = &splitBuffer{n: m.Counts.Of(s)}
	}
	var next [2]Counts // next first sample, per kind and split
	for _, f := range m.Files {
		k := kindIndex(f.Kind)
		c := &chunk{File: f, first: next[k].Of(f.Split)}
		next[k].add(f.Split, f.Count)
		d.files[f.Name] = c
		sb := d.splits[f.Split]
		sb.chunks[k] = append(sb.chunks[k], c)
	}
	return d, nil
}

func kindIndex(kind string) int {
	if kind == Labels {
		return 1
	}
	return 0
}

// AddChunk verifies one file against the manifest (size, SHA-256, the exact
// decompressed length, the label range) and only then makes its samples
// available. Adding a file again that was already accepted does nothing.
// Every failure is a *CorruptError naming the file.
func (d *Dataset) AddChunk(name string, data []byte) error {
	l, err := d.StartChunk(name, data)
	if err != nil {
		return err
	}
	for {
		if done, err := l.Step(1 << 30); done {
			return err
		}
	}
}

// ChunkLoad is the decoding of one file that StartChunk verified, run a
// few images at a time by Step so that a Web Worker stays responsive (a
// pixcode chunk of 5,000 images takes a second or more in WebAssembly).
// Its samples become available after the last Step; meanwhile the
// others can be used as before.
type ChunkLoad struct {
	d       *Dataset
	c       *chunk
	dst     []uint8
	data    []byte
	pixcode *pixcode.Decoder // nil for gzip, decoded in one Step
	done    bool
	err     error
}

// StartChunk is AddChunk's first part: it checks the file's size and
// SHA-256 and returns its decoding, to run with Step. Start one file's
// decoding at a time: two at once are a caller's bug.
func (d *Dataset) StartChunk(name string, data []byte) (*ChunkLoad, error) {
	c, ok := d.files[name]
	if !ok {
		return nil, corrupt(name, "not a file of the manifest")
	}
	if int64(len(data)) != c.Size {
		return nil, corrupt(name, "size %d bytes, manifest says %d (truncated or wrong file?)", len(data), c.Size)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != c.SHA256 {
		return nil, corrupt(name, "sha256 %s, manifest says %s (damaged file?)", got, c.SHA256)
	}
	l := &ChunkLoad{d: d, c: c, data: data, done: c.done}
	if c.done {
		return l, nil
	}
	sb := d.splits[c.Split]
	px := d.Manifest.ImageSize()
	if sb.images == nil {
		sb.images = make([]uint8, sb.n*px)
		sb.labels = make([]uint8, sb.n)
	}
	l.dst = sb.labels[c.first : c.first+c.Count]
	if c.Kind == Images {
		l.dst = sb.images[c.first*px : (c.first+c.Count)*px]
	}
	if c.Decoding() == Pixcode {
		shape := d.Manifest.Shape
		dec, err := pixcode.NewDecoder(l.dst, data, shape[0], shape[1]*shape[2], c.PixelStep())
		if err != nil {
			return nil, corrupt(name, "%v", err)
		}
		l.pixcode = dec
	}
	return l, nil
}

// Step decodes up to about n more images (all of a gzip file) and reports
// whether the file is done: accepted, or refused with the *CorruptError
// it returns (then every later Step returns it again).
func (l *ChunkLoad) Step(n int) (done bool, err error) {
	if l.done {
		return true, l.err
	}
	name := l.c.Name
	if l.pixcode != nil {
		finished, err := l.pixcode.Decode(n)
		if err != nil {
			return l.fail(corrupt(name, "%v", err))
		}
		if !finished {
			return false, nil
		}
	} else if err := gunzipExact(l.dst, l.data); err != nil {
		return l.fail(corrupt(name, "%v", err))
	} else if step := l.c.PixelStep(); l.c.Kind == Images && step > 1 {
		// pixcode's decoder guarantees the step; gzip's bytes are checked
		for i, v := range l.dst {
			if int(v)%step != 0 {
				px := l.d.Manifest.ImageSize()
				return l.fail(corrupt(name, "sample %d: pixel %d is %d, not a multiple of the manifest's step %d",
					l.c.first+i/px, i%px, v, step))
			}
		}
	}
	if l.c.Kind == Labels {
		for i, v := range l.dst {
			if int(v) >= len(l.d.Manifest.Classes) {
				return l.fail(corrupt(name, "sample %d: label %d, but there are %d classes", l.c.first+i, v, len(l.d.Manifest.Classes)))
			}
		}
	}
	l.c.done, l.done = true, true
	return true, nil
}

func (l *ChunkLoad) fail(err error) (bool, error) {
	l.done, l.err = true, err
	return true, err
}

// Name is the file's name.
func (l *ChunkLoad) Name() string { return l.c.Name }

// decompress fills dst exactly from the file's bytes in the given encoding
// (pixcode's of pixels in the given step).
func decompress(dst, src []byte, encoding string, step int, shape []int) error {
	if encoding == Pixcode {
		return pixcode.Decode(dst, src, shape[0], shape[1]*shape[2], step)
	}
	return gunzipExact(dst, src)
}

// gunzipExact decompresses the gzip stream src into dst, which it must fill
// exactly.
func gunzipExact(dst, src []byte) error {
	zr, err := gzip.NewReader(bytes.NewReader(src))
	if err != nil {
		return fmt.Errorf("not gzip: %v", err)
	}
	n, err := io.ReadFull(zr, dst)
	if err != nil {
		return fmt.Errorf("decompressed to %d bytes, want %d: %v", n, len(dst), err)
	}
	var one [1]byte
	if k, err := zr.Read(one[:]); k > 0 || (err != nil && err != io.EOF) {
		if k > 0 {
			return fmt.Errorf("decompresses to more than %d bytes", len(dst))
		}
		return fmt.Errorf("gzip: %v", err)
	}
	return zr.Close()
}

// Available returns, per split, how many samples can be used: the leading
// samples whose image and label chunks have both been accepted.
func (d *Dataset) Available() Counts {
	var c Counts
	for _, s := range SplitNames {
		c.add(s, d.splits[s].available())
	}
	return c
}

func (sb *splitBuffer) available() int {
	var n [2]int
	for k, chunks := range sb.chunks {
		for _, c := range chunks {
			if !c.done {
				break
			}
			n[k] += c.Count
		}
	}
	return min(n[0], n[1])
}

// Missing lists the files not yet accepted, in manifest order.
func (d *Dataset) Missing() []string {
	var names []string
	for _, f := range d.Manifest.Files {
		if !d.files[f.Name].done {
			names = append(names, f.Name)
		}
	}
	return names
}

// Complete reports whether every file has been accepted.
func (d *Dataset) Complete() bool { return len(d.Missing()) == 0 }

// Open reads and verifies the data set in dir: its manifest and every file
// the manifest lists. A missing file is a *CorruptError naming it.
func Open(dir string) (*Dataset, error) {
	mj, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, corrupt(ManifestName, "missing in %s (run make data)", dir)
		}
		return nil, fmt.Errorf("dataset: %w", err)
	}
	d, err := NewLoader(mj)
	if err != nil {
		return nil, err
	}
	for _, f := range d.Manifest.Files {
		data, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, corrupt(f.Name, "missing in %s", dir)
			}
			return nil, fmt.Errorf("dataset: %w", err)
		}
		if err := d.AddChunk(f.Name, data); err != nil {
			return nil, err
		}
	}
	return d, nil
}

package dataset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"convplay/internal/pixcode"
)

// Format and Version identify the file format this package writes. It
// reads Version and every version before it: version 1 had no encodings
// (every file gzip), version 2 names each file's encoding.
const (
	Format  = "convplay-dataset"
	Version = 2
)

// Encodings of a file (version 2).
const (
	// Gzip is a gzip stream of the raw bytes (labels; every file of version 1).
	Gzip = "gzip"
	// Pixcode is an images file coded by convplay/internal/pixcode, a third
	// smaller than gzip for Fashion-MNIST.
	Pixcode = "pixcode1"
)

// ManifestName is the manifest's file name inside a data set directory.
const ManifestName = "manifest.json"

// Split names, in the order the manifest lists them.
const (
	Train      = "train"
	Validation = "validation"
	Test       = "test"
)

// SplitNames lists the splits in manifest order.
var SplitNames = []string{Train, Validation, Test}

// File kinds.
const (
	Images = "images"
	Labels = "labels"
)

// Limits that keep a hostile manifest from asking for absurd allocations.
const (
	maxPixels  = 1 << 16 // per image
	maxSamples = 1 << 20 // per split
	maxFiles   = 1 << 12
	// maxTotal bounds the pixels of all splits together (the reader holds
	// them in memory): each limit above can hold while their product asks
	// for 192 GiB. Fashion-MNIST's 70,000 images are 55 MB.
	maxTotal = 1 << 30
)

// Manifest is manifest.json, the description of one packed data set.
type Manifest struct {
	Format      string  `json:"format"`      // always "convplay-dataset"
	Version     int     `json:"version"`     // 1 or 2
	Name        string  `json:"name"`        // short id and directory name: "fashion", "digits"
	Title       string  `json:"title"`       // "Fashion-MNIST (2017 original release)"
	Source      string  `json:"source"`      // where the packer read it
	License     string  `json:"license"`     // SPDX id: "MIT", "CC-BY-SA-3.0"
	Attribution string  `json:"attribution"` // authors, origin, license terms
	Classes     []Class `json:"classes"`     // label i names Classes[i]
	Shape       []int   `json:"shape"`       // one image: (H, W, C)
	Counts      Counts  `json:"counts"`      // samples per split
	Mean        float64 `json:"mean"`        // of all train pixels as stored (rounded or not), 0..255 scale
	Std         float64 `json:"std"`         // population standard deviation, same pixels
	Order       string  `json:"order"`       // how the sample order was made
	ShuffleSeed *uint64 `json:"shuffle_seed,omitempty"`
	// TestDuplicates are the test samples (indices into the test split,
	// ascending) whose pixels equal a train or validation sample's in the
	// source, before any rounding (File.Step).
	TestDuplicates []int   `json:"test_duplicates"`
	Preview        Preview `json:"preview"`
	Files          []File  `json:"files"`
}

// Class is one class's name in English and simplified Chinese.
type Class struct {
	En string `json:"en"`
	Zh string `json:"zh"`
}

// Counts is a number of samples per split.
type Counts struct {
	Train      int `json:"train"`
	Validation int `json:"validation"`
	Test       int `json:"test"`
}

// Of returns the count of the named split (0 for an unknown name).
func (c Counts) Of(split string) int {
	switch split {
	case Train:
		return c.Train
	case Validation:
		return c.Validation
	case Test:
		return c.Test
	}
	return 0
}

func (c *Counts) add(split string, n int) {
	switch split {
	case Train:
		c.Train += n
	case Validation:
		c.Validation += n
	case Test:
		c.Test += n
	}
}

// Preview describes the sprite: a grid of Shape-sized cells with no gaps,
// row r showing class r; cell (r, c) is sample Samples[r][c] of Split, its
// top-left corner at x = c*W, y = r*H. A class with fewer samples leaves the
// rest of its row black.
type Preview struct {
	Name    string  `json:"name"`
	Size    int64   `json:"size"`
	SHA256  string  `json:"sha256"`
	Split   string  `json:"split"`
	Samples [][]int `json:"samples"`
}

// File is one chunk file.
type File struct {
	Name   string `json:"name"`
	Split  string `json:"split"`
	Kind   string `json:"kind"`   // "images" or "labels"
	Count  int    `json:"count"`  // samples in the chunk
	Size   int64  `json:"size"`   // bytes of the compressed file
	SHA256 string `json:"sha256"` // of the compressed file, lowercase hex
	// Encoding is Gzip or Pixcode (images only) from version 2; absent in
	// version 1, where every file is gzip.
	Encoding string `json:"encoding,omitempty"`
	// Step (images only, version 2) is set when the packer rounded each
	// pixel to the nearest multiple of it, so that the file codes smaller
	// on a slow link: a divisor of 255 (black and white stay exact), each
	// pixel at most Step/2 grey levels from the source's. Absent: the
	// source's own pixels.
	Step int `json:"step,omitempty"`
}

// PixelStep is the step of the file's pixels: Step, or 1 when absent.
func (f File) PixelStep() int { return max(f.Step, 1) }

// SplitStep is the largest PixelStep of the split's images files: 1 when
// the split holds the source's own pixels.
func (m *Manifest) SplitStep(split string) int {
	step := 1
	for _, f := range m.Files {
		if f.Split == split && f.Kind == Images {
			step = max(step, f.PixelStep())
		}
	}
	return step
}

// Decoding returns how the file's bytes are compressed: its Encoding, or
// Gzip in a version 1 manifest.
func (f File) Decoding() string {
	if f.Encoding == "" {
		return Gzip
	}
	return f.Encoding
}

// ImageSize is the number of pixels (bytes) of one image: H*W*C.
func (m *Manifest) ImageSize() int {
	n := 1
	for _, d := range m.Shape {
		n *= d
	}
	return n
}

// ParseManifest decodes and validates manifest.json. Any problem is a
// *CorruptError for File "manifest.json".
func ParseManifest(data []byte) (*Manifest, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, corrupt(ManifestName, "%v", err)
	}
	if dec.More() {
		return nil, corrupt(ManifestName, "data after the JSON object")
	}
	if err := m.validate(); err != nil {
		return nil, corrupt(ManifestName, "%v", err)
	}
	return &m, nil
}

// validate checks everything the reader relies on.
func (m *Manifest) validate() error {
	if m.Format != Format {
		return fmt.Errorf("format %q, want %q", m.Format, Format)
	}
	if m.Version < 1 || m.Version > Version {
		return fmt.Errorf("version %d, this reader knows versions 1 to %d", m.Version, Version)
	}
	if !safeName(m.Name) {
		return fmt.Errorf("name %q is not a plain file name", m.Name)
	}
	if len(m.Classes) < 2 || len(m.Classes) > 256 {
		return fmt.Errorf("%d classes, want 2..256", len(m.Classes))
	}
	if len(m.Shape) != 3 {
		return fmt.Errorf("shape %v, want (H, W, C)", m.Shape)
	}
	px := 1
	for _, d := range m.Shape {
		if d <= 0 || d > maxPixels {
			return fmt.Errorf("shape %v has a dimension out of range", m.Shape)
		}
		px *= d
		if px > maxPixels {
			return fmt.Errorf("shape %v: more than %d pixels", m.Shape, maxPixels)
		}
	}
	total := 0
	for _, s := range SplitNames {
		n := m.Counts.Of(s)
		if n < 0 || n > maxSamples {
			return fmt.Errorf("%s count %d out of range", s, n)
		}
		total += n
	}
	if total > maxTotal/px { // px <= maxPixels and total <= 3*maxSamples: no overflow
		return fmt.Errorf("%d images of %v pixels are more than %d bytes", total, m.Shape, maxTotal)
	}
	if math.IsNaN(m.Mean) || m.Mean < 0 || m.Mean > 255 {
		return fmt.Errorf("mean %v outside 0..255", m.Mean)
	}
	if math.IsNaN(m.Std) || m.Std <= 0 || m.Std > 255 {
		return fmt.Errorf("std %v outside (0, 255]", m.Std)
	}
	prev := -1
	for _, id := range m.TestDuplicates {
		if id <= prev || id >= m.Counts.Test {
			return fmt.Errorf("test_duplicates: id %d not ascending within 0..%d", id, m.Counts.Test-1)
		}
		prev = id
	}
	if err := m.validatePreview(); err != nil {
		return err
	}
	return m.validateFiles()
}

func (m *Manifest) validatePreview() error {
	p := m.Preview
	if p.Name == "" {
		return nil // no preview
	}
	if !safeName(p.Name) || p.Name == ManifestName {
		return fmt.Errorf("preview name %q is not a plain file name", p.Name)
	}
	if !isSHA256(p.SHA256) || p.Size <= 0 {
		return fmt.Errorf("preview %s: bad size or sha256", p.Name)
	}
	n := m.Counts.Of(p.Split)
	if len(p.Samples) > len(m.Classes) {
		return fmt.Errorf("preview: %d rows for %d classes", len(p.Samples), len(m.Classes))
	}
	for _, row := range p.Samples {
		for _, id := range row {
			if id < 0 || id >= n {
				return fmt.Errorf("preview: sample %d not in split %q", id, p.Split)
			}
		}
	}
	return nil
}

func (m *Manifest) validateFiles() error {
	if len(m.Files) > maxFiles {
		return fmt.Errorf("%d files, at most %d", len(m.Files), maxFiles)
	}
	seen := map[string]bool{ManifestName: true, m.Preview.Name: m.Preview.Name != ""}
	var images, labels Counts
	for i, f := range m.Files {
		switch {
		case !safeName(f.Name):
			return fmt.Errorf("file %d: name %q is not a plain file name", i, f.Name)
		case seen[f.Name]:
			return fmt.Errorf("file %d: name %q listed twice", i, f.Name)
		case f.Split != Train && f.Split != Validation && f.Split != Test:
			return fmt.Errorf("file %s: unknown split %q", f.Name, f.Split)
		case f.Kind != Images && f.Kind != Labels:
			return fmt.Errorf("file %s: unknown kind %q", f.Name, f.Kind)
		case f.Count <= 0 || f.Count > maxSamples:
			return fmt.Errorf("file %s: count %d out of range", f.Name, f.Count)
		case f.Size <= 0:
			return fmt.Errorf("file %s: size %d", f.Name, f.Size)
		case !isSHA256(f.SHA256):
			return fmt.Errorf("file %s: sha256 %q is not 64 lowercase hex digits", f.Name, f.SHA256)
		case m.Version == 1 && f.Encoding != "":
			return fmt.Errorf("file %s: encoding %q in a version 1 manifest (whose files are all gzip)", f.Name, f.Encoding)
		case m.Version >= 2 && f.Encoding != Gzip && !(f.Encoding == Pixcode && f.Kind == Images):
			return fmt.Errorf("file %s: encoding %q, want %q, or %q for images", f.Name, f.Encoding, Gzip, Pixcode)
		case f.Step != 0 && (m.Version == 1 || f.Kind != Images || !pixcode.ValidStep(f.Step)):
			return fmt.Errorf("file %s: step %d, want a divisor of 255 above 0 on the images of a version 2 manifest", f.Name, f.Step)
		}
		seen[f.Name] = true
		if f.Kind == Images {
			images.add(f.Split, f.Count)
		} else {
			labels.add(f.Split, f.Count)
		}
	}
	for _, s := range SplitNames {
		want := m.Counts.Of(s)
		if images.Of(s) != want || labels.Of(s) != want {
			return fmt.Errorf("split %s: %d samples, but its files hold %d images and %d labels",
				s, want, images.Of(s), labels.Of(s))
		}
	}
	return nil
}

// safeName reports whether s names a file directly inside the data set's
// directory (and a URL path segment): no separators, no dot files.
func safeName(s string) bool {
	return s != "" && len(s) <= 128 && !strings.HasPrefix(s, ".") &&
		!strings.ContainsAny(s, "/\\:?#%\x00")
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

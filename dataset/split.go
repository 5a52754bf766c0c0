package dataset

import "fmt"

// Split is a read-only view of the samples of one split that were available
// when it was taken. It implements the engine's nn.Data interface.
type Split struct {
	name   string
	px     int           // pixels per image, H*W*C
	images []uint8       // (n, H, W, C)
	labels []uint8       // (n)
	ids    []int         // if not nil, sample i is ids[i] of images/labels
	lut    *[256]float32 // standardization table
}

// Split returns the samples of the named split available now (all of them
// once the data set is complete). Take it again after more chunks arrive.
func (d *Dataset) Split(name string) (*Split, error) {
	sb, ok := d.splits[name]
	if !ok {
		return nil, fmt.Errorf("dataset: no split %q", name)
	}
	n := sb.available()
	px := d.Manifest.ImageSize()
	s := &Split{name: name, px: px, lut: &d.lut}
	if n > 0 {
		s.images, s.labels = sb.images[:n*px], sb.labels[:n]
	}
	return s, nil
}

// DedupTest returns the available test samples without those listed in the
// manifest's test_duplicates (the test images that also occur in the
// training data), for reporting accuracy on the deduplicated test set.
func (d *Dataset) DedupTest() *Split {
	s, _ := d.Split(Test)
	return s.Without(d.Manifest.TestDuplicates)
}

// Without returns the split less the samples whose indices are listed.
func (s *Split) Without(ids []int) *Split {
	drop := make(map[int]bool, len(ids))
	for _, id := range ids {
		drop[id] = true
	}
	t := *s
	t.name = s.name + " (deduplicated)"
	t.ids = make([]int, 0, s.Len())
	for i := range s.Len() {
		if !drop[i] {
			t.ids = append(t.ids, s.index(i))
		}
	}
	return &t
}

// Name is the split's name.
func (s *Split) Name() string { return s.name }

// Len is the number of samples.
func (s *Split) Len() int {
	if s.ids != nil {
		return len(s.ids)
	}
	return len(s.labels)
}

func (s *Split) index(i int) int {
	if s.ids != nil {
		return s.ids[i]
	}
	return i
}

// Fill writes the samples idx into a batch: x gets their pixels
// standardized, (pixel - mean) / std with the train split's statistics, as
// (len(idx), H, W, C) row-major; y gets their labels as float32 class
// indices. x must hold len(idx)*H*W*C values and y len(idx).
func (s *Split) Fill(x, y []float32, idx []int) {
	px := s.px
	x = x[:len(idx)*px]
	y = y[:len(idx)]
	for i, j := range idx {
		j = s.index(j)
		src := s.images[j*px : (j+1)*px]
		dst := x[i*px : (i+1)*px]
		for k, p := range src {
			dst[k] = s.lut[p]
		}
		y[i] = float32(s.labels[j])
	}
}

// Image returns sample i's pixels (H, W, C), 0..255. Do not modify them.
func (s *Split) Image(i int) []uint8 {
	j := s.index(i)
	return s.images[j*s.px : (j+1)*s.px : (j+1)*s.px]
}

// Label returns sample i's class index.
func (s *Split) Label(i int) int { return int(s.labels[s.index(i)]) }

// Standardize writes pixels (0..255, e.g. a drawing resampled to H x W)
// into dst as the training data was: (pixel - mean) / std with the train
// split's statistics. dst must be at least as long as pixels.
func (d *Dataset) Standardize(dst []float32, pixels []uint8) {
	dst = dst[:len(pixels)]
	for i, p := range pixels {
		dst[i] = d.lut[p]
	}
}

// ClassNames returns the class names in English and in simplified Chinese;
// label i is ClassNames()[i].
func (d *Dataset) ClassNames() []Class {
	return append([]Class(nil), d.Manifest.Classes...)
}

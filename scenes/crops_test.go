package scenes

import (
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"testing"
)

// TestCropReference checks the crop rule bit for bit against the Python
// re-implementation's hashes and corners (testdata/reference.json).
func TestCropReference(t *testing.T) {
	ref := readReference(t)
	if len(ref.Crops) == 0 {
		t.Fatal("no crop cases: regenerate reference.json")
	}
	src := newSynthetic(37)
	px, lab := make([]uint8, Side*Side), make([]uint8, Side*Side)
	for _, c := range ref.Crops {
		g, err := New(src, c.Seed, c.Split)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		var corners [][2]int
		for _, i := range c.Indices {
			row, col := g.Crop(px, lab, i, c.Side)
			for r := row; r < row+c.Side; r++ {
				h.Write(px[r*Side+col : r*Side+col+c.Side])
			}
			for r := row; r < row+c.Side; r++ {
				h.Write(lab[r*Side+col : r*Side+col+c.Side])
			}
			corners = append(corners, [2]int{row, col})
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != c.SHA256 {
			t.Errorf("side %d split %d: windows hash to %s, the reference to %s", c.Side, c.Split, got, c.SHA256)
		}
		if !reflect.DeepEqual(corners[:len(c.Corners)], c.Corners) {
			t.Errorf("side %d split %d: corners %v, reference %v", c.Side, c.Split, corners[:len(c.Corners)], c.Corners)
		}
	}
}

// TestCrops checks that Crops serves each scene's window (pixels
// standardized, labels as class indices), that a window of 28 or more holds
// one of the scene's items whole and a smaller one lies inside an item's
// box, and that a window is a function of the scene alone.
func TestCrops(t *testing.T) {
	src := newSynthetic(50)
	g, err := New(src, 3, Train)
	if err != nil {
		t.Fatal(err)
	}
	half := func(dst []float32, p []uint8) {
		for i, v := range p {
			dst[i] = float32(v) / 2
		}
	}
	px, lab := make([]uint8, Side*Side), make([]uint8, Side*Side)
	for _, s := range []int{16, 24, 28, 40, Side} {
		c, err := NewCrops(NewData(g, 30, half), s)
		if err != nil {
			t.Fatal(err)
		}
		c.Offset = 100
		idx := []int{0, 7, 29}
		x, y := make([]float32, len(idx)*s*s), make([]float32, len(idx)*s*s)
		c.Fill(x, y, idx)
		for k, i := range idx {
			row, col := g.Crop(px, lab, 100+i, s)
			items := g.Place(100 + i)
			holds := false
			for _, it := range items {
				if s >= 28 {
					holds = holds || (row <= it.Row && it.Row+28 <= row+s && col <= it.Col && it.Col+28 <= col+s)
				} else {
					holds = holds || (it.Row <= row && row+s <= it.Row+28 && it.Col <= col && col+s <= it.Col+28)
				}
			}
			if !holds {
				t.Errorf("side %d, scene %d: window at (%d, %d) fits none of %v", s, 100+i, row, col, items)
			}
			for h := range s {
				for w := range s {
					p := (row+h)*Side + col + w
					if got, want := x[k*s*s+h*s+w], float32(px[p])/2; got != want {
						t.Fatalf("side %d, scene %d: pixel (%d, %d) %v, want %v", s, 100+i, h, w, got, want)
					}
					if got, want := y[k*s*s+h*s+w], float32(lab[p]); got != want {
						t.Fatalf("side %d, scene %d: label (%d, %d) %v, want %v", s, 100+i, h, w, got, want)
					}
				}
			}
		}
	}
	for _, s := range []int{0, -1, Side + 1} {
		if _, err := NewCrops(NewData(g, 1, half), s); err == nil {
			t.Errorf("NewCrops with side %d: no error", s)
		}
	}
}

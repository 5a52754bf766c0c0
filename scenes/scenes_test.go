package scenes

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// synthetic is scenes_reference.py's synthetic_source: m 28 x 28 images,
// each a disc of a pattern covering all intensities, image i of class i%10.
type synthetic struct{ images [][]uint8 }

func newSynthetic(m int) synthetic {
	s := synthetic{}
	for i := range m {
		img := make([]uint8, 28*28)
		r := 6 + i%8
		for h := range 28 {
			for w := range 28 {
				dh, dw := h-14+i%3, w-14-i%5
				if dh*dh+dw*dw < r*r {
					img[h*28+w] = uint8(((i*31 + h*7 + w*13) * 97) % 256)
				}
			}
		}
		s.images = append(s.images, img)
	}
	return s
}

func (s synthetic) Len() int            { return len(s.images) }
func (s synthetic) Image(i int) []uint8 { return s.images[i] }
func (s synthetic) Label(i int) int     { return i % 10 }

// reference is testdata/reference.json, the Python re-implementation's
// scenes (Cases) and training windows (Crops) made from synthetic images.
type reference struct {
	Cases []struct {
		Seed       uint64
		Split      int
		Indices    []int
		SHA256     string
		FirstItems [][]Item `json:"first_items"`
	}
	Crops []struct {
		Seed        uint64
		Split, Side int
		Indices     []int
		SHA256      string
		Corners     [][2]int
	}
}

func readReference(t *testing.T) reference {
	t.Helper()
	b, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	return ref
}

// TestReference checks the generator bit for bit against the independent
// Python re-implementation's hashes (testdata/reference.json).
func TestReference(t *testing.T) {
	ref := readReference(t)
	if len(ref.Cases) == 0 {
		t.Fatal("no cases")
	}
	src := newSynthetic(37)
	px, lab := make([]uint8, Side*Side), make([]uint8, Side*Side)
	for _, c := range ref.Cases {
		g, err := New(src, c.Seed, c.Split)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		var first [][]Item
		for _, i := range c.Indices {
			items := g.Draw(px, lab, i)
			h.Write(px)
			h.Write(lab)
			if len(first) < 3 {
				first = append(first, items)
			}
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != c.SHA256 {
			t.Errorf("seed %d split %d: scenes hash to %s, the reference to %s", c.Seed, c.Split, got, c.SHA256)
		}
		if !reflect.DeepEqual(first, c.FirstItems) {
			t.Errorf("seed %d split %d: first items %v, reference %v", c.Seed, c.Split, first, c.FirstItems)
		}
	}
}

// TestRules checks the rules on many scenes: 1..3 items inside the canvas,
// boxes overlapping by at most MaxOverlap, labels only where an item's own
// pixel reaches the threshold, and the canvas the maximum of the items.
func TestRules(t *testing.T) {
	src := newSynthetic(50)
	g, err := New(src, 1, Train)
	if err != nil {
		t.Fatal(err)
	}
	px, lab := make([]uint8, Side*Side), make([]uint8, Side*Side)
	counts := map[int]int{}
	for i := range 500 {
		items := g.Draw(px, lab, i)
		counts[len(items)]++
		if len(items) < 1 || len(items) > MaxItems {
			t.Fatalf("scene %d has %d items", i, len(items))
		}
		wantPx, wantLab := make([]uint8, Side*Side), make([]uint8, Side*Side)
		for a, it := range items {
			if it.Row < 0 || it.Col < 0 || it.Row+28 > Side || it.Col+28 > Side {
				t.Fatalf("scene %d item %d outside: %+v", i, a, it)
			}
			for _, o := range items[:a] {
				if h, w := 28-abs(it.Row-o.Row), 28-abs(it.Col-o.Col); h > 0 && w > 0 && h*w > MaxOverlap {
					t.Fatalf("scene %d: items overlap by %d pixels", i, h*w)
				}
			}
			for h := range 28 {
				for w := range 28 {
					p := src.Image(it.Image)[h*28+w]
					k := (it.Row+h)*Side + it.Col + w
					wantPx[k] = max(wantPx[k], p)
					if p >= Threshold {
						wantLab[k] = uint8(1 + it.Class)
					}
				}
			}
		}
		if !reflect.DeepEqual(px, wantPx) || !reflect.DeepEqual(lab, wantLab) {
			t.Fatalf("scene %d differs from its items drawn by the rules", i)
		}
	}
	for k := 1; k <= MaxItems; k++ {
		if counts[k] == 0 {
			t.Errorf("no scene with %d items in 500: %v", k, counts)
		}
	}
}

// TestSplitsAndSeeds checks that scenes depend on the seed and the split,
// and that the same (seed, split, index) gives the same scene.
func TestSplitsAndSeeds(t *testing.T) {
	src := newSynthetic(50)
	a, _ := New(src, 3, Validation)
	b, _ := New(src, 3, Validation)
	c, _ := New(src, 3, Test)
	d, _ := New(src, 4, Validation)
	if !reflect.DeepEqual(a.Place(9), b.Place(9)) {
		t.Error("the same scene differs")
	}
	if reflect.DeepEqual(a.Place(9), c.Place(9)) || reflect.DeepEqual(a.Place(9), d.Place(9)) {
		t.Error("another split or seed gives the same scene")
	}
}

func TestNewRejects(t *testing.T) {
	if _, err := New(newSynthetic(3), 0, 3); err == nil {
		t.Error("split 3 accepted")
	}
	if _, err := New(synthetic{images: [][]uint8{make([]uint8, 30)}}, 0, 0); err == nil {
		t.Error("non-square images accepted")
	}
	if _, err := New(synthetic{}, 0, 0); err == nil {
		t.Error("empty source accepted")
	}
}

func TestData(t *testing.T) {
	g, _ := New(newSynthetic(20), 5, Train)
	d := NewData(g, 4, func(dst []float32, px []uint8) {
		for i, p := range px {
			dst[i] = float32(p) / 255
		}
	})
	x, y := make([]float32, 2*Side*Side), make([]float32, 2*Side*Side)
	d.Offset = 10
	d.Fill(x, y, []int{3, 1})
	px, lab := make([]uint8, Side*Side), make([]uint8, Side*Side)
	g.Draw(px, lab, 11)
	for j := range px {
		if x[Side*Side+j] != float32(px[j])/255 || y[Side*Side+j] != float32(lab[j]) {
			t.Fatalf("sample 1 is not scene 11 at pixel %d", j)
		}
	}
	if d.Len() != 4 {
		t.Errorf("Len %d", d.Len())
	}
	if a := testing.AllocsPerRun(10, func() { d.Fill(x, y, []int{0, 1}) }); a != 0 {
		t.Errorf("Fill allocates %v times", a)
	}
}

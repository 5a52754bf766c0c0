package hdf5

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

// expected is testdata/expected.json, what gen.py wrote into both files.
type expected struct {
	Datasets map[string]struct {
		Shape  []int
		Values []float64
	}
	Attrs map[string][]string
}

func readExpected(t *testing.T) expected {
	t.Helper()
	b, err := os.ReadFile("testdata/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var e expected
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

func openFixture(t *testing.T, name string) *File {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Open(b)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestFixtures reads every dataset and attribute gen.py wrote, from the
// default layout (basic.h5) and the newest one (latest.h5).
func TestFixtures(t *testing.T) {
	want := readExpected(t)
	for _, name := range []string{"basic.h5", "latest.h5"} {
		t.Run(name, func(t *testing.T) {
			f := openFixture(t, name)
			for path, d := range want.Datasets {
				o, err := f.Get(path)
				if err != nil {
					t.Errorf("%s: %v", path, err)
					continue
				}
				v, shape, err := o.Float32s()
				if err != nil {
					t.Errorf("%s: %v", path, err)
					continue
				}
				if !slices.Equal(shape, d.Shape) && !(len(shape) == 0 && len(d.Shape) == 0) {
					t.Errorf("%s: shape %v, want %v", path, shape, d.Shape)
				}
				if len(v) != len(d.Values) {
					t.Errorf("%s: %d values, want %d", path, len(v), len(d.Values))
					continue
				}
				for i := range v {
					if float64(v[i]) != float64(float32(d.Values[i])) {
						t.Errorf("%s[%d] = %v, want %v", path, i, v[i], d.Values[i])
						break
					}
				}
			}
			for key, strs := range want.Attrs {
				path, name, _ := strings.Cut(key, "@")
				o, err := f.Get(path)
				if err != nil {
					t.Errorf("%s: %v", path, err)
					continue
				}
				a, err := o.Attr(name)
				if err != nil || a == nil {
					t.Errorf("%s: attribute %s: %v (nil: %v)", path, name, err, a == nil)
					continue
				}
				got, err := a.Strings()
				if err != nil {
					t.Errorf("%s: %v", key, err)
					continue
				}
				if !slices.Equal(got, strs) && !(len(got) == 0 && len(strs) == 0) {
					t.Errorf("%s = %.60q, want %.60q", key, got, strs)
				}
			}
			o, err := f.Get("group")
			if err != nil {
				t.Fatal(err)
			}
			a, _ := o.Attr("number")
			if v, err := a.Float32s(); err != nil || len(v) != 1 || v[0] != 1.5 {
				t.Errorf("group@number = %v, %v; want [1.5]", v, err)
			}
			if missing, _ := o.Attr("missing"); missing != nil {
				t.Errorf("Attr(missing) = %v, want nil", missing)
			}
			if _, err := f.Get("group/nothing"); !errors.As(err, new(*NotFoundError)) {
				t.Errorf("Get(group/nothing) error %v, want a NotFoundError", err)
			}
		})
	}
}

// TestManyMembers: a symbol table spread over several nodes lists every
// member; so does the same group in libver="latest", stored densely (a
// fractal heap and a v2 B-tree).
func TestManyMembers(t *testing.T) {
	o, err := openFixture(t, "basic.h5").Get("many")
	if err != nil {
		t.Fatal(err)
	}
	names, err := o.Children()
	if err != nil || len(names) != 20 || names[0] != "g00" || names[19] != "g19" {
		t.Errorf("Children() = %v, %v; want g00..g19", names, err)
	}
	o, err = openFixture(t, "latest.h5").Get("many")
	if err != nil {
		t.Fatal(err)
	}
	names, err = o.Children()
	if err != nil || len(names) != 20 || names[0] != "g00" || names[19] != "g19" {
		t.Errorf("dense Children() = %v, %v; want g00..g19", names, err)
	}
	if g, err := o.Child("g07"); err != nil || !g.IsGroup() {
		t.Errorf("dense Child(g07) = %v, %v; want a group", g, err)
	}
}

// TestDense: gen.py's dense.h5 (libver="latest"): 2,000 links whose
// fractal heap has a child indirect block and whose name B-tree has two
// internal levels; 20 attributes in dense storage; a "huge" attribute
// refused with its reason.
func TestDense(t *testing.T) {
	f := openFixture(t, "dense.h5")
	links, err := f.Get("links")
	if err != nil {
		t.Fatal(err)
	}
	names, err := links.Children()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 2000 {
		t.Fatalf("%d links, want 2000", len(names))
	}
	tail := strings.Repeat("x", 280)
	for i, n := range names {
		if want := fmt.Sprintf("layer_%04d_%s", i, tail); n != want {
			t.Fatalf("link %d is %.20q..., want %.20q...", i, n, want)
		}
	}
	for _, i := range []int{0, 999, 1999} { // the first, one past the direct blocks, the last
		o, err := links.Child(names[i])
		if err != nil {
			t.Fatal(err)
		}
		if v, shape, err := o.Float32s(); err != nil || len(v) != 6 || !slices.Equal(shape, []int{2, 3}) {
			t.Errorf("link %d: %v %v %v, want the (2, 3) dataset", i, v, shape, err)
		}
	}
	a, err := f.Get("attrs")
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := a.Attrs()
	if err != nil || len(attrs) != 20 {
		t.Fatalf("%d attributes, %v; want 20", len(attrs), err)
	}
	for name, want := range map[string][]string{
		"vlen3": {"value 3"}, "fixed7": {"bytes 7"}, "names": {"conv2d", "dense"},
		"vlen_names": {"kernel", "bias"}, "config": {"{" + strings.Repeat("y", 3000) + "}"},
	} {
		at, err := a.Attr(name)
		if err != nil || at == nil {
			t.Errorf("%s: %v %v", name, at, err)
			continue
		}
		if got, err := at.Strings(); err != nil || !slices.Equal(got, want) {
			t.Errorf("%s = %.40q, %v; want %.40q", name, got, err, want)
		}
	}
	if n, _ := a.Attr("number"); n == nil {
		t.Error("no attribute number")
	} else if v, err := n.Float32s(); err != nil || !slices.Equal(v, []float32{1.5}) {
		t.Errorf("number = %v, %v; want [1.5]", v, err)
	}
	h, err := f.Get("z_huge")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Attrs(); err == nil || !strings.Contains(err.Error(), "huge") || !errors.As(err, new(*FormatError)) {
		t.Errorf("huge attribute: error %v, want a FormatError naming huge objects", err)
	}
}

// TestWalk visits every object of basic.h5 once.
func TestWalk(t *testing.T) {
	root, err := openFixture(t, "basic.h5").Root()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := root.Walk(func(*Object) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n < 30 {
		t.Errorf("Walk visited %d objects, want at least 30", n)
	}
}

func TestHalf(t *testing.T) {
	for _, c := range []struct {
		h    uint16
		want float32
	}{{0x3c00, 1}, {0xc000, -2}, {0x3555, 0.33325195}, {0x0001, 5.9604645e-08}, {0x7c00, float32(math.Inf(1))}} {
		if got := half(c.h); got != c.want {
			t.Errorf("half(%#x) = %v, want %v", c.h, got, c.want)
		}
	}
}

func TestUnshuffle(t *testing.T) {
	// Three 2-byte elements ab, cd, ef shuffled: a c e b d f, plus a tail byte.
	got := unshuffle([]byte("acebdfZ"), 2)
	if string(got) != "abcdefZ" {
		t.Errorf("unshuffle = %q, want abcdefZ", got)
	}
}

// TestHostile: damaged files give a FormatError, not a panic or a hang.
func TestHostile(t *testing.T) {
	b, err := os.ReadFile("testdata/basic.h5")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"not hdf5", []byte("PK\x03\x04 a zip, not an HDF5 file at all, really")},
		{"truncated superblock", b[:20]},
		{"truncated", b[:len(b)/3]},
		{"bad version", append(append([]byte{}, b[:8]...), append([]byte{9}, b[9:]...)...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := readAll(c.data)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.As(err, new(*FormatError)) && !errors.As(err, new(*NotFoundError)) {
				t.Errorf("error %v (%T), want a FormatError", err, err)
			}
		})
	}
}

// readAll opens data and reads every object, dataset and attribute in it,
// returning the first error.
func readAll(data []byte) error {
	f, err := Open(data)
	if err != nil {
		return err
	}
	root, err := f.Root()
	if err != nil {
		return err
	}
	return root.Walk(func(o *Object) error {
		attrs, err := o.Attrs()
		if err != nil {
			return err
		}
		for _, a := range attrs {
			if a.IsString() {
				if _, err := a.Strings(); err != nil {
					return err
				}
			} else if _, err := a.Float32s(); err != nil {
				return err
			}
		}
		if o.IsDataset() {
			if _, _, err := o.Float32s(); err != nil {
				return err
			}
		}
		return nil
	})
}

// FuzzOpen reads every part of arbitrary files, seeded with the fixtures:
// any error is fine, a panic, a hang or a huge allocation is not.
func FuzzOpen(f *testing.F) {
	for _, name := range []string{"basic.h5", "latest.h5", "deep.h5", "dense_small.h5"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		readAll(data)
	})
}

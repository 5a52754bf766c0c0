package hdf5

import (
	"fmt"
	"slices"
	"testing"
)

// TestWriterRoundTrip: what the Writer writes, the reader reads back: a
// group of more members than h5py's default symbol-table node holds, nested
// groups, UTF-8 string attributes, datasets of several ranks. (h5py's
// reading of the Writer's files is checked in package keras, TestExport.)
func TestWriterRoundTrip(t *testing.T) {
	w := NewWriter()
	many := w.Root().Group("many")
	for i := range 40 {
		g := many.Group(fmt.Sprintf("g%02d", 39-i))
		g.SetString("name", fmt.Sprintf("grüppe %d", 39-i))
		if err := g.Float32s("0", []int{2, 1, 3}, []float32{1, 2, 3, 4, 5, float32(i)}); err != nil {
			t.Fatal(err)
		}
	}
	w.Root().Group("empty")
	w.Root().Group("vars").SetString("name", "")
	if err := many.Float32s("bad", []int{2}, []float32{1}); err == nil {
		t.Error("a shape of 2 with 1 value: no error")
	}
	b, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if err := readAll(b); err != nil {
		t.Fatal(err)
	}
	f, _ := Open(b)
	g, err := f.Get("many")
	if err != nil {
		t.Fatal(err)
	}
	names, err := g.Children()
	if err != nil || len(names) != 40 || names[0] != "g00" || names[39] != "g39" {
		t.Fatalf("Children = %v, %v", names, err)
	}
	o, err := f.Get("many/g07/0")
	if err != nil {
		t.Fatal(err)
	}
	v, shape, err := o.Float32s()
	if err != nil || !slices.Equal(shape, []int{2, 1, 3}) || !slices.Equal(v, []float32{1, 2, 3, 4, 5, 32}) {
		t.Errorf("many/g07/0 = %v %v %v", v, shape, err)
	}
	grp, _ := f.Get("many/g07")
	a, _ := grp.Attr("name")
	if s, err := a.String(); err != nil || s != "grüppe 7" {
		t.Errorf("name = %q, %v", s, err)
	}
	dup := NewWriter()
	dup.Root().Group("a").Float32s("x", []int{1}, []float32{1})
	dup.Root().Group("a").Float32s("x", []int{1}, []float32{2})
	if _, err := dup.Bytes(); err == nil {
		t.Error("two datasets called x: no error")
	}
}

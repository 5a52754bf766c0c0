package pixcode

import (
	"flag"
	"os"
	"testing"
)

// -update rewrites testdata/fashion-16.cpx, the golden stream, after a
// deliberate change of the format (which also needs a new Magic: data sets
// packed before must still decode).
var update = flag.Bool("update", false, "rewrite testdata/fashion-16.cpx")

func TestUpdateGolden(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite the golden stream")
	}
	px := readFixture(t)
	if err := os.WriteFile("testdata/fashion-16.cpx", Encode(px, 16, 28, 28), 0o644); err != nil {
		t.Fatal(err)
	}
}

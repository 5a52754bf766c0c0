package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkReadNPMClass parses a class file of 500 images with pixels
// spread over 0..255, like the package's (~15 MB for 7,000 images).
func BenchmarkReadNPMClass(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"data":[`)
	for i := range 500 {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString("[")
		for k := range px {
			if k > 0 {
				sb.WriteString(",")
			}
			v := (i*31 + k*17) % 256
			if k%3 == 0 {
				v = 0 // background, as in the real images
			}
			fmt.Fprint(&sb, v)
		}
		sb.WriteString("]")
	}
	sb.WriteString(",[]]}")
	path := filepath.Join(b.TempDir(), "0.json")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(sb.Len()))
	b.ReportAllocs()
	for b.Loop() {
		imgs, empty, err := readNPMClass(path, px)
		if err != nil || len(imgs) != 500 || empty != 1 {
			b.Fatal(len(imgs), empty, err)
		}
	}
}

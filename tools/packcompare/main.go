// Command packcompare measures what a Fashion-MNIST epoch (the train and
// validation splits, 60,000 images) costs on the wire packed each way the
// data chunks could be: gzip of the raw bytes (version 1 of the format),
// PNG-style filters before deflate (chosen per image or per row), and
// pixcode (version 2). It reads a packed data set and prints a Markdown
// table, the one in BENCHMARKS.md ("data on a slow link").
//
//	go run ./tools/packcompare -data web/data/fashion
package main

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"time"

	"convplay/dataset"
	"convplay/internal/pixcode"
)

const chunk = 5000 // images per chunk, as packdata's -chunk

func main() {
	dir := flag.String("data", "web/data/fashion", "a packed data set")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "packcompare:", err)
		os.Exit(1)
	}
}

type candidate struct {
	name string
	pack func(px []uint8, n, h, w int) []byte
}

func run(dir string) error {
	d, err := dataset.Open(dir)
	if err != nil {
		return err
	}
	h, w := d.Manifest.Shape[0], d.Manifest.Shape[1]*d.Manifest.Shape[2]
	var chunks [][]uint8
	for _, s := range []string{dataset.Validation, dataset.Train} {
		sp, _ := d.Split(s)
		for first := 0; first < sp.Len(); first += chunk {
			var px []uint8
			for i := first; i < min(first+chunk, sp.Len()); i++ {
				px = append(px, sp.Image(i)...)
			}
			chunks = append(chunks, px)
		}
	}
	candidates := []candidate{
		{"gzip -6 of the raw bytes (version 1)", func(px []uint8, _, _, _ int) []byte { return deflate(px, 6, true) }},
		{"gzip -9 of the raw bytes", func(px []uint8, _, _, _ int) []byte { return deflate(px, 9, true) }},
		{"PNG filter per image (min. sum of abs.), deflate -9", func(px []uint8, n, h, w int) []byte {
			return deflate(filterImages(px, n, h, w, false), 9, false)
		}},
		{"PNG filter per row (min. sum of abs.), deflate -9", func(px []uint8, n, h, w int) []byte {
			return deflate(filterImages(px, n, h, w, true), 9, false)
		}},
		{"pixcode (version 2)", pixcode.Encode},
	}
	fmt.Printf("| packing of the %d train and validation images (%s chunks) | bytes | bits/pixel | encode |\n|---|---:|---:|---:|\n",
		d.Manifest.Counts.Train+d.Manifest.Counts.Validation, fmt.Sprint(chunk))
	pixels := 0
	for _, c := range chunks {
		pixels += len(c)
	}
	for _, c := range candidates {
		start := time.Now()
		total := 0
		for _, px := range chunks {
			total += len(c.pack(px, len(px)/(h*w), h, w))
		}
		fmt.Printf("| %s | %d | %.3f | %.1f s |\n", c.name, total, float64(total*8)/float64(pixels), time.Since(start).Seconds())
	}
	return nil
}

func deflate(b []byte, level int, gz bool) []byte {
	var buf bytes.Buffer
	if gz {
		zw, _ := gzip.NewWriterLevel(&buf, level)
		zw.Write(b)
		zw.Close()
	} else {
		zw, _ := flate.NewWriter(&buf, level)
		zw.Write(b)
		zw.Close()
	}
	return buf.Bytes()
}

// filterImages applies PNG's row filters to each image as PNG does (a
// filter-type byte before each row), choosing for each row (perRow) or for
// each whole image the filter with the least sum of absolute values, libpng's
// heuristic.
func filterImages(px []uint8, n, h, w int, perRow bool) []byte {
	out := make([]byte, 0, n*h*(w+1))
	for k := range n {
		img := px[k*h*w : (k+1)*h*w]
		best := -1
		if !perRow {
			sums := [5]int{}
			for y := range h {
				for f := range 5 {
					sums[f] += cost(filterRow(nil, img, y, w, f))
				}
			}
			best = argmin(sums[:])
		}
		for y := range h {
			f := best
			if perRow {
				var sums [5]int
				for g := range 5 {
					sums[g] = cost(filterRow(nil, img, y, w, g))
				}
				f = argmin(sums[:])
			}
			out = append(out, byte(f))
			out = filterRow(out, img, y, w, f)
		}
	}
	return out
}

// filterRow appends row y of img filtered with PNG filter f (0 none, 1 sub,
// 2 up, 3 average, 4 Paeth); pixels outside the image are 0.
func filterRow(dst, img []uint8, y, w, f int) []byte {
	at := func(y, x int) int {
		if y < 0 || x < 0 {
			return 0
		}
		return int(img[y*w+x])
	}
	for x := range w {
		a, b, c := at(y, x-1), at(y-1, x), at(y-1, x-1)
		var p int
		switch f {
		case 1:
			p = a
		case 2:
			p = b
		case 3:
			p = (a + b) / 2
		case 4:
			p = paeth(a, b, c)
		}
		dst = append(dst, byte(at(y, x)-p))
	}
	return dst
}

func paeth(a, b, c int) int {
	p := a + b - c
	pa, pb, pc := abs(p-a), abs(p-b), abs(p-c)
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func cost(row []byte) int {
	s := 0
	for _, v := range row {
		s += abs(int(int8(v)))
	}
	return s
}

func argmin(v []int) int {
	best := 0
	for i, x := range v {
		if x < v[best] {
			best = i
		}
	}
	return best
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

//go:build ignore

// gen writes the fuzz seeds and hostile pictures of imageprep's tests:
//
//	go run testdata/gen.go
package main

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
)

func main() {
	// A dark stroke on white paper, as one draws: a "1" with a foot.
	draw := image.NewGray(image.Rect(0, 0, 40, 30))
	for i := range draw.Pix {
		draw.Pix[i] = 255
	}
	for y := 4; y < 26; y++ {
		draw.SetGray(19, y, color.Gray{0})
		draw.SetGray(20, y, color.Gray{30})
	}
	for x := 14; x < 26; x++ {
		draw.SetGray(x, 25, color.Gray{0})
	}
	write("drawing.png", encPNG(draw))
	write("drawing.jpg", encJPEG(draw))

	// A transparent canvas with opaque ink, as the page's pad exports.
	pad := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for y := 3; y < 13; y++ {
		pad.SetNRGBA(8, y, color.NRGBA{0, 0, 0, 255})
	}
	write("pad.png", encPNG(pad))

	// A blank picture: white paper, no ink.
	blank := image.NewGray(image.Rect(0, 0, 28, 28))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	write("blank.png", encPNG(blank))

	// A 16-bit picture, and one 1x1.
	g16 := image.NewGray16(image.Rect(0, 0, 5, 3))
	g16.SetGray16(2, 1, color.Gray16{0xffff})
	write("gray16.png", encPNG(g16))
	write("one.png", encPNG(image.NewGray(image.Rect(0, 0, 1, 1))))

	// A 1x1 PNG whose header says 1,000,000 x 1,000,000 pixels.
	write("huge-header.png", withSize(encPNG(image.NewGray(image.Rect(0, 0, 1, 1))), 1000000, 1000000))
}

func encPNG(img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func encJPEG(img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 75}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// withSize rewrites a PNG's IHDR width and height and its checksum.
func withSize(p []byte, w, h uint32) []byte {
	p = append([]byte(nil), p...)
	ihdr := p[8+8 : 8+8+13] // after the signature, the chunk's length and type
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	binary.BigEndian.PutUint32(p[8+8+13:], crc32.ChecksumIEEE(p[8+4:8+8+13]))
	return p
}

func write(name string, b []byte) {
	if err := os.WriteFile(name, b, 0o644); err != nil {
		panic(err)
	}
}

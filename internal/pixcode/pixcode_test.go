package pixcode

import (
	"bytes"
	"compress/gzip"
	"errors"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testdata/fashion-16.u8 is the first 16 validation images of the packed
// Fashion-MNIST (MIT licensed, see web/data/fashion/manifest.json).
func readFixture(t testing.TB) []uint8 {
	px, err := os.ReadFile("testdata/fashion-16.u8")
	require.NoError(t, err)
	require.Len(t, px, 16*28*28)
	return px
}

func roundTrip(t *testing.T, px []uint8, n, h, w int) []byte {
	t.Helper()
	enc := Encode(px, n, h, w)
	got := make([]uint8, len(px))
	require.NoError(t, Decode(got, enc, h, w))
	require.True(t, bytes.Equal(px, got), "decoded pixels differ")
	return enc
}

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := func(n int) []uint8 {
		b := make([]uint8, n)
		for i := range b {
			b[i] = uint8(rng.Uint32())
		}
		return b
	}
	ramp := make([]uint8, 2*9*13)
	for i := range ramp {
		ramp[i] = uint8(i * 37 % 256)
	}
	extremes := make([]uint8, 3*28*28)
	for i := range extremes {
		extremes[i] = []uint8{0, 255, 255, 0, 1, 254}[rng.IntN(6)]
	}
	tests := []struct {
		name    string
		px      []uint8
		n, h, w int
	}{
		{"no images", nil, 0, 28, 28},
		{"one black pixel", []uint8{0}, 1, 1, 1},
		{"one white pixel", []uint8{255}, 1, 1, 1},
		{"white images", bytes.Repeat([]uint8{255}, 4*28*28), 4, 28, 28},
		{"black images", make([]uint8, 4*28*28), 4, 28, 28},
		{"noise, not square", noise(5 * 7 * 3), 5, 7, 3},
		{"noise, one row", noise(3 * 40), 3, 1, 40},
		{"noise, one column", noise(3 * 40), 3, 40, 1},
		{"ramp", ramp, 2, 9, 13},
		{"extremes: residuals at the bounds", extremes, 3, 28, 28},
		{"Fashion-MNIST", readFixture(t), 16, 28, 28},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { roundTrip(t, tt.px, tt.n, tt.h, tt.w) })
	}
}

// The images it is made for take fewer bytes than with gzip, even as few
// as 16 (a chunk of 5,000 takes a fifth less: BENCHMARKS.md).
func TestCompressesFashion(t *testing.T) {
	px := readFixture(t)
	enc := roundTrip(t, px, 16, 28, 28)
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(px)
	require.NoError(t, zw.Close())
	assert.Less(t, len(enc), gz.Len(), "pixcode bytes, gzip -9 bytes")
	noise := make([]uint8, 16*28*28)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range noise {
		noise[i] = uint8(rng.Uint32())
	}
	enc = roundTrip(t, noise, 16, 28, 28)
	assert.Less(t, len(enc), len(noise)*110/100, "noise grows by less than 10%")
}

// The golden stream pins the format: data sets already packed must decode
// the same after any change of the code.
func TestGolden(t *testing.T) {
	want, err := os.ReadFile("testdata/fashion-16.cpx")
	require.NoError(t, err)
	px := readFixture(t)
	assert.Equal(t, want, Encode(px, 16, 28, 28), "Encode changed: a format change needs a new Magic")
	got := make([]uint8, len(px))
	require.NoError(t, Decode(got, want, 28, 28))
	assert.Equal(t, px, got)
}

func TestDecodeErrors(t *testing.T) {
	px := readFixture(t)
	good := Encode(px, 16, 28, 28)
	edit := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	tests := []struct {
		name    string
		src     []byte
		n, h, w int
		want    string
	}{
		{"empty", nil, 16, 28, 28, "pixcode: not a pixcode stream (no CPX1 header)"},
		{"gzip", []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 16, 28, 28, "pixcode: not a pixcode stream (no CPX1 header)"},
		{"fewer images", good, 15, 28, 28, "pixcode: holds 16 images of 28x28, want 15 of 28x28"},
		{"other shape", good, 16, 14, 56, "pixcode: holds 16 images of 28x28, want 16 of 14x56"},
		{"dst not whole images", good, 0, 28, 28, ""},
		{"truncated", good[:len(good)-40], 16, 28, 28, "pixcode: truncated stream"},
		{"header only", good[:headerSize], 16, 28, 28, "pixcode: truncated stream"},
		{"a byte more", append(bytes.Clone(good), 0), 16, 28, 28, "pixcode: 1 bytes after the stream's end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := make([]uint8, tt.n*tt.h*tt.w)
			if tt.name == "dst not whole images" {
				dst = make([]uint8, 100)
			}
			err := Decode(dst, tt.src, tt.h, tt.w)
			var fe FormatError
			require.True(t, errors.As(err, &fe), "%v", err)
			if tt.want != "" {
				assert.EqualError(t, err, tt.want)
			}
		})
	}
	// A flipped bit in the stream is an error or other pixels, never a
	// panic (the data set's SHA-256 catches the second kind, and a flip in
	// the flush's last bytes, which may not change the pixels).
	for _, at := range []int{headerSize, headerSize + 1, len(good) / 2, len(good) - 6} {
		bad := edit(func(b []byte) []byte { b[at] ^= 0x10; return b })
		dst := make([]uint8, len(px))
		if err := Decode(dst, bad, 28, 28); err == nil {
			assert.False(t, bytes.Equal(px, dst), "flipped byte %d decodes to the same pixels", at)
		}
	}
}

// Decoding a few images at a time gives the same pixels and errors.
func TestDecoderInSteps(t *testing.T) {
	px := readFixture(t)
	enc := Encode(px, 16, 28, 28)
	got := make([]uint8, len(px))
	d, err := NewDecoder(got, enc, 28, 28)
	require.NoError(t, err)
	steps := 0
	for done := false; !done; steps++ {
		done, err = d.Decode(3)
		require.NoError(t, err)
	}
	assert.Equal(t, 6, steps, "16 images, 3 at a time")
	assert.Equal(t, 16, d.Decoded())
	assert.True(t, bytes.Equal(px, got))

	d, err = NewDecoder(got, enc[:len(enc)-20], 28, 28)
	require.NoError(t, err)
	var derr error
	for done := false; !done; {
		done, derr = d.Decode(5)
	}
	assert.Error(t, derr)
	_, again := d.Decode(5)
	assert.Equal(t, derr, again)
}

func FuzzDecode(f *testing.F) {
	px := readFixture(f)
	f.Add(Encode(px, 16, 28, 28), 16, 28, 28)
	f.Add(Encode(px[:784], 1, 28, 28), 1, 28, 28)
	f.Add(Encode(px[:60], 4, 3, 5), 4, 3, 5)
	f.Add([]byte("CPX1"), 1, 1, 1)
	f.Fuzz(func(t *testing.T, src []byte, n, h, w int) {
		if n < 0 || n > 64 || h < 1 || h > 64 || w < 1 || w > 64 {
			return
		}
		dst := make([]uint8, n*h*w)
		if err := Decode(dst, src, h, w); err != nil {
			var fe FormatError
			require.True(t, errors.As(err, &fe))
			return
		}
		// What decodes round-trips (the stream itself may differ in the
		// flush's last bytes, which do not change the pixels).
		again := make([]uint8, len(dst))
		require.NoError(t, Decode(again, Encode(dst, n, h, w), h, w))
		require.True(t, bytes.Equal(dst, again))
	})
}

func FuzzRoundTrip(f *testing.F) {
	px := readFixture(f)
	f.Add(px[:784], 28)
	f.Add(px[784*3:784*5], 14)
	f.Add([]byte{0, 255, 0, 255, 1, 2}, 3)
	f.Fuzz(func(t *testing.T, px []byte, w int) {
		if w < 1 || w > 64 || len(px) < w {
			return
		}
		h := max(1, min(len(px)/w, 64))
		px = px[:h*w*(len(px)/(h*w))]
		n := len(px) / (h * w)
		got := make([]uint8, len(px))
		require.NoError(t, Decode(got, Encode(px, n, h, w), h, w))
		require.True(t, bytes.Equal(px, got))
	})
}

// BenchmarkDecodeChunk decodes a 5,000-image chunk of the packed
// Fashion-MNIST (make data), natively or in WebAssembly (GOOS=js
// GOARCH=wasm with tools/wasmexec on PATH): BENCHMARKS.md, data on a slow
// link.
func BenchmarkDecodeChunk(b *testing.B) {
	const name = "../../web/data/fashion/train-01-images.cpx"
	src, err := os.ReadFile(name)
	if err != nil {
		b.Skipf("%s: %v (run make data)", name, err)
	}
	dst := make([]uint8, 5000*28*28)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Decode(dst, src, 28, 28); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/chunk")
}

package pixcode

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"errors"
	"fmt"
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
	require.NoError(t, Decode(got, enc, h, w, 1))
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
	require.NoError(t, Decode(got, want, 28, 28, 1))
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
		{"empty", nil, 16, 28, 28, "pixcode: not a pixcode stream (no CPX1 or CPX2 header)"},
		{"gzip", []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 16, 28, 28, "pixcode: not a pixcode stream (no CPX1 or CPX2 header)"},
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
			err := Decode(dst, tt.src, tt.h, tt.w, 1)
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
		if err := Decode(dst, bad, 28, 28, 1); err == nil {
			assert.False(t, bytes.Equal(px, dst), "flipped byte %d decodes to the same pixels", at)
		}
	}
}

// Decoding a few images at a time gives the same pixels and errors.
func TestDecoderInSteps(t *testing.T) {
	px := readFixture(t)
	enc := Encode(px, 16, 28, 28)
	got := make([]uint8, len(px))
	d, err := NewDecoder(got, enc, 28, 28, 1)
	require.NoError(t, err)
	steps := 0
	for done := false; !done; steps++ {
		done, err = d.Decode(3)
		require.NoError(t, err)
	}
	assert.Equal(t, 6, steps, "16 images, 3 at a time")
	assert.Equal(t, 16, d.Decoded())
	assert.True(t, bytes.Equal(px, got))

	d, err = NewDecoder(got, enc[:len(enc)-20], 28, 28, 1)
	require.NoError(t, err)
	var derr error
	for done := false; !done; {
		done, derr = d.Decode(5)
	}
	assert.Error(t, derr)
	_, again := d.Decode(5)
	assert.Equal(t, derr, again)
}

// steps lists every ValidStep, so that a fuzzer's byte picks one.
var steps = []int{1, 3, 5, 15, 17, 51, 85, 255}

func FuzzDecode(f *testing.F) {
	px := readFixture(f)
	f.Add(Encode(px, 16, 28, 28), 16, 28, 28, uint8(0))
	f.Add(Encode(px[:784], 1, 28, 28), 1, 28, 28, uint8(0))
	f.Add(Encode(px[:60], 4, 3, 5), 4, 3, 5, uint8(0))
	f.Add(EncodeSteps(Round(px, 5), 16, 28, 28, 5), 16, 28, 28, uint8(2))
	f.Add([]byte("CPX1"), 1, 1, 1, uint8(0))
	f.Add([]byte("CPX2\x01\x00\x00\x00\x01\x00\x01\x00\x05"), 1, 1, 1, uint8(2))
	f.Fuzz(func(t *testing.T, src []byte, n, h, w int, pick uint8) {
		if n < 0 || n > 64 || h < 1 || h > 64 || w < 1 || w > 64 {
			return
		}
		step := steps[int(pick)%len(steps)]
		dst := make([]uint8, n*h*w)
		if err := Decode(dst, src, h, w, step); err != nil {
			var fe FormatError
			require.True(t, errors.As(err, &fe))
			return
		}
		// What decodes round-trips (the stream itself may differ in the
		// flush's last bytes, which do not change the pixels).
		again := make([]uint8, len(dst))
		require.NoError(t, Decode(again, EncodeSteps(dst, n, h, w, step), h, w, step))
		require.True(t, bytes.Equal(dst, again))
	})
}

func FuzzRoundTrip(f *testing.F) {
	px := readFixture(f)
	f.Add(px[:784], 28, uint8(0))
	f.Add(px[784*3:784*5], 14, uint8(2))
	f.Add([]byte{0, 255, 0, 255, 1, 2}, 3, uint8(7))
	f.Fuzz(func(t *testing.T, px []byte, w int, pick uint8) {
		if w < 1 || w > 64 || len(px) < w {
			return
		}
		step := steps[int(pick)%len(steps)]
		h := max(1, min(len(px)/w, 64))
		px = Round(px[:h*w*(len(px)/(h*w))], step)
		n := len(px) / (h * w)
		got := make([]uint8, len(px))
		require.NoError(t, Decode(got, EncodeSteps(px, n, h, w, step), h, w, step))
		require.True(t, bytes.Equal(px, got))
	})
}

func TestRound(t *testing.T) {
	in := []uint8{0, 1, 2, 3, 4, 5, 7, 8, 127, 128, 252, 253, 254, 255}
	assert.Equal(t, []uint8{0, 0, 3, 3, 3, 6, 6, 9, 126, 129, 252, 252, 255, 255}, Round(in, 3))
	assert.Equal(t, []uint8{0, 0, 0, 5, 5, 5, 5, 10, 125, 130, 250, 255, 255, 255}, Round(in, 5))
	assert.Equal(t, in, Round(in, 1))
	for v := range 256 {
		for _, step := range []int{3, 5, 15, 17, 51, 85, 255} {
			r := int(Round([]uint8{uint8(v)}, step)[0])
			assert.LessOrEqual(t, max(r-v, v-r), step/2, "%d at step %d is %d", v, step, r)
		}
	}
}

// Images rounded to multiples of a step round-trip at every step, and at
// step 5 Fashion-MNIST takes at least a quarter fewer bytes.
func TestSteps(t *testing.T) {
	px := readFixture(t)
	lossless := len(Encode(px, 16, 28, 28))
	extremes := bytes.Repeat([]uint8{0, 255, 255, 0, 0, 0, 255}, 3*28*4)
	for _, step := range steps {
		t.Run(fmt.Sprint(step), func(t *testing.T) {
			for _, img := range [][]uint8{Round(px, step), extremes} {
				enc := EncodeSteps(img, len(img)/784, 28, 28, step)
				got := make([]uint8, len(img))
				require.NoError(t, Decode(got, enc, 28, 28, step))
				require.True(t, bytes.Equal(img, got), "decoded pixels differ")
				if step == 1 {
					assert.Equal(t, Magic, string(enc[:4]), "step 1 is the lossless format of before")
				} else {
					assert.Equal(t, MagicSteps, string(enc[:4]))
				}
			}
		})
	}
	five := len(EncodeSteps(Round(px, 5), 16, 28, 28, 5))
	assert.Less(t, five, lossless*3/4, "step 5: %d bytes, lossless %d", five, lossless)

	assert.PanicsWithValue(t, "pixcode: step 4 does not divide 255", func() { EncodeSteps(px, 16, 28, 28, 4) })
	assert.PanicsWithValue(t, "pixcode: pixel 0 is 1, not a multiple of the step 5", func() {
		EncodeSteps([]uint8{1}, 1, 1, 1, 5)
	})
}

func TestStepErrors(t *testing.T) {
	px := Round(readFixture(t), 5)
	five := EncodeSteps(px, 16, 28, 28, 5)
	dst := make([]uint8, len(px))
	for _, tt := range []struct {
		name string
		src  []byte
		step int
		want string
	}{
		{"step 5 read as lossless", five, 1, "pixcode: pixels in steps of 5, want 1"},
		{"lossless read as step 5", Encode(px, 16, 28, 28), 5, "pixcode: pixels in steps of 1, want 5"},
		{"step 5 read as step 3", five, 3, "pixcode: pixels in steps of 5, want 3"},
		{"no step byte", five[:headerSize], 5, "pixcode: truncated header (no step)"},
		{"step 4", append(append([]byte{}, five[:headerSize]...), 4, 0), 4, "pixcode: step 4 in a CPX2 header, want a divisor of 255 above 1"},
		{"step 1 in CPX2", append(append([]byte{}, five[:headerSize]...), 1, 0), 1, "pixcode: step 1 in a CPX2 header, want a divisor of 255 above 1"},
		{"truncated", five[:len(five)-30], 5, "pixcode: truncated stream"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.EqualError(t, Decode(dst, tt.src, 28, 28, tt.step), tt.want)
		})
	}
}

// BenchmarkDecodeChunk decodes a 5,000-image chunk of the packed
// Fashion-MNIST (make data; DATA=dir names another packing's directory),
// natively or in WebAssembly (GOOS=js GOARCH=wasm with tools/wasmexec on
// PATH): BENCHMARKS.md, data on a slow link.
func BenchmarkDecodeChunk(b *testing.B) {
	dir := cmp.Or(os.Getenv("DATA"), "../../web/data/fashion")
	name := dir + "/train-01-images.cpx"
	src, err := os.ReadFile(name)
	if err != nil {
		b.Skipf("%s: %v (run make data)", name, err)
	}
	step := 1
	if len(src) > headerSize && string(src[:4]) == MagicSteps {
		step = int(src[headerSize])
	}
	dst := make([]uint8, 5000*28*28)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Decode(dst, src, 28, 28, step); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/chunk")
}

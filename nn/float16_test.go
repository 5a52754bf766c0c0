package nn

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFloat16AgainstNumPy checks the conversions against NumPy's float16
// (testdata/make_float16.py wrote float16.golden): narrowing of 5,930
// float32 values (edge cases, ties either way across every exponent, random
// bits, weight-like values) bit for bit, and widening of every non-NaN
// float16 by the SHA-256 of NumPy's float32s.
func TestFloat16AgainstNumPy(t *testing.T) {
	f, err := os.Open("testdata/float16.golden")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	var wantDigest string
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		if d, ok := strings.CutPrefix(line, "widen-sha256 "); ok {
			wantDigest = d
			continue
		}
		fields := strings.Fields(line)
		require.Len(t, fields, 2, line)
		in, err := strconv.ParseUint(fields[0], 16, 32)
		require.NoError(t, err)
		want, err := strconv.ParseUint(fields[1], 16, 16)
		require.NoError(t, err)
		v := math.Float32frombits(uint32(in))
		if got := float32ToFloat16(v); got != uint16(want) {
			t.Errorf("float16(%g = %08x) = %04x, NumPy %04x", v, in, got, want)
		}
		n++
	}
	require.NoError(t, sc.Err())
	require.Greater(t, n, 5000)

	var all []byte
	for h := range 1 << 16 {
		v := float16ToFloat32(uint16(h))
		if v != v {
			continue
		}
		all = binary.LittleEndian.AppendUint32(all, math.Float32bits(v))
	}
	sum := sha256.Sum256(all)
	assert.Equal(t, wantDigest, hex.EncodeToString(sum[:]), "widening every non-NaN float16 gives NumPy's float32s")
}

// TestFloat16RoundTrip: every float16 widens to a float32 that narrows back
// to it; NaN stays NaN of either sign; the boundaries of the range.
func TestFloat16RoundTrip(t *testing.T) {
	for h := range 1 << 16 {
		v := float16ToFloat32(uint16(h))
		if float16NonFinite(uint16(h)) && h&0x3ff != 0 {
			require.True(t, v != v, "%04x is NaN", h)
			back := float32ToFloat16(v)
			require.True(t, float16NonFinite(back) && back&0x3ff != 0 && back&0x8000 == uint16(h)&0x8000, "%04x stays NaN: %04x", h, back)
			continue
		}
		require.Equal(t, uint16(h), float32ToFloat16(v), "%04x -> %g", h, v)
	}
	assert.Equal(t, float32(float16Max), float16ToFloat32(0x7bff))
	assert.Equal(t, uint16(0x7bff), float32ToFloat16(65519.99))
	assert.Equal(t, uint16(0x7c00), float32ToFloat16(65520), "the tie above 65504 rounds to infinity (even)")
	assert.Equal(t, uint16(0x0001), float32ToFloat16(0x1p-24), "the smallest subnormal")
	assert.Equal(t, uint16(0x0000), float32ToFloat16(0x1p-25), "half of it ties to zero (even)")
	assert.Equal(t, uint16(0x8000), float32ToFloat16(-1e-30), "the sign of an underflow stays")
	assert.Equal(t, uint16(0x0400), float32ToFloat16(0x1p-14), "the smallest normal")
}

// TestSaveFloat16 writes a model in float16: a version 2 file of about half
// the bytes, each weight the float16 nearest it, which loads (Load and
// LoadWeights) as those values widened and saves again as the same file.
func TestSaveFloat16(t *testing.T) {
	m := buildT(t, SmallSpec(), 3)
	m.Params()[0].W[0] = 0x1p-20 // a subnormal in float16
	m.Params()[0].W[1] = -0x1p-30
	var half bytes.Buffer
	require.NoError(t, m.SaveFloat16(&half))
	full := saveT(t, m)
	file := half.Bytes()
	assert.Equal(t, uint32(2), binary.LittleEndian.Uint32(file[8:]), "a float16 file is version 2")
	assert.Equal(t, uint32(1), binary.LittleEndian.Uint32(full[8:]), "a float32 file stays version 1, for older readers")
	assert.InDelta(t, 0.5, float64(len(file))/float64(len(full)), 0.05)

	loaded, err := Load(bytes.NewReader(file))
	require.NoError(t, err)
	assert.Equal(t, m.Spec, loaded.Spec)
	for i, p := range m.Params() {
		for j, v := range p.W {
			want := float16ToFloat32(float32ToFloat16(v))
			require.Equal(t, want, loaded.Params()[i].W[j], "param %d value %d", i, j)
			require.LessOrEqual(t, math.Abs(float64(want-v)), math.Max(math.Abs(float64(v))*0x1p-11, 0x1p-25))
		}
	}
	assert.Equal(t, float32(0x1p-20), loaded.Params()[0].W[0])
	assert.Equal(t, uint32(0x80000000), math.Float32bits(loaded.Params()[0].W[1]), "-2^-30 flushes to -0")

	into := buildT(t, SmallSpec(), 4)
	require.NoError(t, into.LoadWeights(bytes.NewReader(file)))
	assert.Equal(t, weightBits(loaded), weightBits(into))

	var again bytes.Buffer
	require.NoError(t, loaded.SaveFloat16(&again))
	assert.Equal(t, file, again.Bytes(), "float16 weights save to the same file")
}

// TestSaveFloat16Refuses a weight that would not load again: beyond
// float16's range, NaN or infinite; nothing is written.
func TestSaveFloat16Refuses(t *testing.T) {
	for _, v := range []float32{65520, -1e6, float32(math.NaN()), float32(math.Inf(1))} {
		m := buildT(t, SmallSpec(), 1)
		m.Params()[4].W[9] = v
		var b bytes.Buffer
		err := m.SaveFloat16(&b)
		require.Error(t, err, "%g", v)
		assert.Contains(t, err.Error(), "nn: save as float16: dense/kernel weight 9 of 4000 is ")
		assert.Contains(t, err.Error(), "beyond float16's range (±65504)")
		assert.Zero(t, b.Len())
	}
	m := buildT(t, SmallSpec(), 1)
	m.Params()[4].W[9] = 65519 // rounds to 65504
	require.NoError(t, m.SaveFloat16(&bytes.Buffer{}))
}

// TestFloat16FileErrors: a version 2 record with an unknown element type
// is a FormatError naming it; a float16 array's size is bounded by the
// bytes that remain like a float32 one's; and a file with the version a
// program before float16 read (1) cannot pass for version 2 or back.
func TestFloat16FileErrors(t *testing.T) {
	var half bytes.Buffer
	require.NoError(t, buildT(t, scaleSpec(), 1).SaveFloat16(&half))
	good := half.Bytes()
	specLen := int(binary.LittleEndian.Uint32(good[12:]))
	typeAt := 16 + specLen + 4 + 2 + len("test_scale/kernel") // after the array count and the first name
	require.Equal(t, byte(elemFloat16), good[typeAt])

	edit := func(f func(b []byte)) []byte { b := append([]byte(nil), good...); f(b); return withCRC(b) }
	for _, tt := range []struct {
		name string
		file []byte
		msg  string
	}{
		{"unknown element type", edit(func(b []byte) { b[typeAt] = 7 }), `weight array 0 "test_scale/kernel" has element type 7, not 0 (float32) or 1 (float16)`},
		{"float32 type on float16 values", edit(func(b []byte) { b[typeAt] = elemFloat32 }), "truncated"},
		{"read as version 1", edit(func(b []byte) { b[8] = 1 }), ""},
		{"huge dimension", edit(func(b []byte) { b[typeAt+2+3] = 0x40 }), "claims more values than the file holds"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(bytes.NewReader(tt.file))
			require.Error(t, err)
			var fe FormatError
			require.True(t, errors.As(err, &fe), "%v", err)
			assert.Contains(t, err.Error(), tt.msg)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

// TestSaveFloat16Layout checks a float16 file field by field against
// docs/weights-format.md: version 2, and in each array record the element
// type (1) between the name and the rank, then 2 bytes a value.
func TestSaveFloat16Layout(t *testing.T) {
	m := buildT(t, ModelSpec{Input: []int{2}, Layers: []LayerSpec{{Type: "testScale"}}}, 1)
	copy(m.Params()[0].W, []float32{1.5, -2})
	copy(m.Params()[1].W, []float32{0.1, 0})
	var buf bytes.Buffer
	require.NoError(t, m.SaveFloat16(&buf))
	b := buf.Bytes()

	spec := `{"input":[2],"layers":[{"type":"testScale","name":"test_scale"}]}`
	le := binary.LittleEndian
	require.Equal(t, 8+4+4+len(spec)+4+2*(2+1+1+4+4)+17+15+4+4, len(b))
	assert.Equal(t, "\x89CPW\r\n\x1a\n", string(b[:8]))
	assert.Equal(t, uint32(2), le.Uint32(b[8:]), "version")
	assert.Equal(t, spec, string(b[16:16+len(spec)]))
	o := 16 + len(spec)
	assert.Equal(t, uint32(2), le.Uint32(b[o:]), "array count")
	o += 4
	for _, a := range []struct {
		name string
		vals []uint16 // 1.5, -2; 0.1 rounds to 0x2e66 (0.0999755859375), 0
	}{{"test_scale/kernel", []uint16{0x3e00, 0xc000}}, {"test_scale/bias", []uint16{0x2e66, 0}}} {
		assert.Equal(t, uint16(len(a.name)), le.Uint16(b[o:]))
		assert.Equal(t, a.name, string(b[o+2:o+2+len(a.name)]))
		o += 2 + len(a.name)
		assert.Equal(t, []byte{1, 1, 2, 0, 0, 0}, b[o:o+6], "float16, rank 1, dimension 2")
		o += 6
		for _, v := range a.vals {
			assert.Equal(t, v, le.Uint16(b[o:]))
			o += 2
		}
	}
	assert.Equal(t, uint32(0), le.Uint32(b[o:]), "no optimizer section")
	o += 4
	assert.Equal(t, crc32.Checksum(b[:o], crc32.MakeTable(crc32.Castagnoli)), le.Uint32(b[o:]))
	assert.Equal(t, len(b), o+4)
}

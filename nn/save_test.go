package nn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var updateWeights = flag.Bool("update-weights", false, "rewrite testdata/scale.cpw and testdata/go_export.npz")

// testScale is a layer for the serialization tests, independent of the real
// layers: y = x*kernel + bias per channel (the last axis), kernel (C) drawn
// from rng, bias (C) zero, or no bias with NoBias.
type testScale struct {
	spec   LayerSpec
	shape  Shape
	params []*Param
	y      []float32
}

func init() {
	registerLayer("testScale", func(spec LayerSpec, in Shape, rng *rand.Rand) (Layer, error) {
		c := in[len(in)-1]
		l := &testScale{spec: spec, shape: in, params: []*Param{newParam("kernel", c)}}
		for i := range l.params[0].W {
			l.params[0].W[i] = float32(rng.Float64()*2 - 1)
		}
		if !spec.NoBias {
			l.params = append(l.params, newParam("bias", c))
		}
		return l, nil
	})
}

func (l *testScale) Spec() LayerSpec  { return l.spec }
func (l *testScale) InShape() Shape   { return l.shape }
func (l *testScale) OutShape() Shape  { return l.shape }
func (l *testScale) Params() []*Param { return l.params }
func (l *testScale) Forward(x []float32, n int, _ bool) []float32 {
	c := len(l.params[0].W)
	l.y = grow(l.y, n*l.shape.Size())
	for i, v := range x[:len(l.y)] {
		l.y[i] = v * l.params[0].W[i%c]
		if len(l.params) > 1 {
			l.y[i] += l.params[1].W[i%c]
		}
	}
	return l.y
}
func (l *testScale) Backward(dy []float32) []float32 { panic("testScale has no backward") }

// scaleSpec is a two-layer model of testScale layers on input (2, 3, 2).
func scaleSpec() ModelSpec {
	return ModelSpec{Input: []int{2, 3, 2}, Layers: []LayerSpec{
		{Type: "testScale"}, {Type: "testScale", NoBias: true},
	}}
}

func buildT(t testing.TB, spec ModelSpec, seed uint64) *Model {
	t.Helper()
	m, err := Build(spec, seed)
	require.NoError(t, err)
	return m
}

func saveT(t testing.TB, m *Model) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))
	return buf.Bytes()
}

// weightBits snapshots a model's weights bit for bit (NaN-safe comparison).
func weightBits(m *Model) [][]uint32 {
	var out [][]uint32
	for _, p := range m.Params() {
		bits := make([]uint32, len(p.W))
		for i, v := range p.W {
			bits[i] = math.Float32bits(v)
		}
		out = append(out, bits)
	}
	return out
}

// withCRC returns b with its last 4 bytes replaced by the CRC-32C of the rest,
// so a deliberately edited file passes the checksum.
func withCRC(b []byte) []byte {
	b = append([]byte(nil), b...)
	if len(b) >= 4 {
		binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], castagnoli))
	}
	return b
}

// craft builds a weights file from a spec JSON and arrays, with a valid checksum.
func craft(spec string, arrays ...savedArray) []byte {
	b := append([]byte(weightsMagic), 1, 0, 0, 0)
	b = appendBytes32(b, []byte(spec))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(arrays)))
	for _, a := range arrays {
		data := make([]float32, a.shape.Size())
		b = appendArray(b, 1, a.name, a.shape, data, false)
	}
	b = binary.LittleEndian.AppendUint32(b, 0)
	return withCRC(append(b, 0, 0, 0, 0))
}

func TestSaveLoadRoundTrip(t *testing.T) {
	m := buildT(t, scaleSpec(), 1)
	file := saveT(t, m)

	x := make([]float32, 3*m.InShape().Size())
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	want := append([]float32(nil), m.Forward(x, 3, false)...)

	got, err := Load(bytes.NewReader(file))
	require.NoError(t, err)
	assert.Equal(t, m.Spec, got.Spec)
	assert.Equal(t, weightBits(m), weightBits(got))
	assert.Equal(t, want, got.Forward(x, 3, false))
	assert.Equal(t, file, saveT(t, got), "saving a loaded model reproduces the file")

	other := buildT(t, scaleSpec(), 2)
	require.NotEqual(t, weightBits(m), weightBits(other))
	require.NoError(t, other.LoadWeights(bytes.NewReader(file)))
	assert.Equal(t, weightBits(m), weightBits(other))
	assert.Equal(t, want, other.Forward(x, 3, false))

	// From a file on disk (readWeights sizes its buffer from Stat).
	path := t.TempDir() + "/scale.cpw"
	require.NoError(t, os.WriteFile(path, file, 0o644))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	fromDisk, err := Load(f)
	require.NoError(t, err)
	assert.Equal(t, weightBits(m), weightBits(fromDisk))
}

// TestSaveLayout checks every field of a one-layer file against offsets
// worked out by hand from docs/weights-format.md.
func TestSaveLayout(t *testing.T) {
	m := buildT(t, ModelSpec{Input: []int{2}, Layers: []LayerSpec{{Type: "testScale"}}}, 1)
	copy(m.Params()[0].W, []float32{1.5, -2})
	copy(m.Params()[1].W, []float32{0.25, 0})
	b := saveT(t, m)

	spec := `{"input":[2],"layers":[{"type":"testScale","name":"test_scale"}]}`
	le := binary.LittleEndian
	require.Equal(t, 8+4+4+len(spec)+4+2*(2+1+4+8)+17+15+4+4, len(b))
	assert.Equal(t, "\x89CPW\r\n\x1a\n", string(b[:8]))
	assert.Equal(t, uint32(1), le.Uint32(b[8:]), "version")
	assert.Equal(t, uint32(len(spec)), le.Uint32(b[12:]), "spec length")
	assert.Equal(t, spec, string(b[16:16+len(spec)]))
	o := 16 + len(spec)
	assert.Equal(t, uint32(2), le.Uint32(b[o:]), "array count")
	o += 4
	for _, a := range []struct {
		name string
		vals []float32
	}{{"test_scale/kernel", []float32{1.5, -2}}, {"test_scale/bias", []float32{0.25, 0}}} {
		assert.Equal(t, uint16(len(a.name)), le.Uint16(b[o:]))
		assert.Equal(t, a.name, string(b[o+2:o+2+len(a.name)]))
		o += 2 + len(a.name)
		assert.Equal(t, []byte{1, 2, 0, 0, 0}, b[o:o+5], "rank 1, dimension 2")
		o += 5
		for _, v := range a.vals {
			assert.Equal(t, math.Float32bits(v), le.Uint32(b[o:]))
			o += 4
		}
	}
	assert.Equal(t, uint32(0), le.Uint32(b[o:]), "no optimizer section")
	o += 4
	assert.Equal(t, crc32.Checksum(b[:o], crc32.MakeTable(crc32.Castagnoli)), le.Uint32(b[o:]))
	assert.Equal(t, len(b), o+4)
}

// TestLoadGolden loads a file committed with an earlier build: the format
// stays readable, and saving it again gives the same bytes.
func TestLoadGolden(t *testing.T) {
	const path = "testdata/scale.cpw"
	if *updateWeights {
		require.NoError(t, os.WriteFile(path, saveT(t, buildT(t, scaleSpec(), 1)), 0o644))
	}
	file, err := os.ReadFile(path)
	require.NoError(t, err)
	m, err := Load(bytes.NewReader(file))
	require.NoError(t, err)
	assert.Equal(t, weightBits(buildT(t, scaleSpec(), 1)), weightBits(m))
	assert.Equal(t, file, saveT(t, m))
}

func TestLoadWeightsErrors(t *testing.T) {
	good := saveT(t, buildT(t, scaleSpec(), 1))
	edit := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	specAt := 16 // the spec JSON starts after magic, version and its length

	tests := []struct {
		name   string
		file   []byte
		format bool   // a FormatError, not an architecture mismatch
		msg    string // a substring of the error
	}{
		{"empty", nil, true, "wrong magic"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), true, "wrong magic"},
		{"magic only", good[:8], true, "truncated"},
		{"future version", edit(func(b []byte) []byte { b[8] = 3; return withCRC(b) }), true, "version 3 is newer than this program, which reads versions 1 to 2"},
		{"version 0", edit(func(b []byte) []byte { b[8] = 0; return withCRC(b) }), true, "unknown version 0"},
		{"no checksum", good[:12], true, "no room for the checksum"},
		{"flipped weight", edit(func(b []byte) []byte { b[len(b)-9] ^= 0x10; return b }), true, "checksum mismatch"},
		{"flipped checksum", edit(func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), true, "checksum mismatch"},
		{"trailing byte", withCRC(append(append([]byte(nil), good...), 0)), true, "1 unexpected bytes"},
		{"spec over 1 MiB", edit(func(b []byte) []byte { b[specAt-2] = 0x10; return withCRC(b) }), true, "model spec of 1048703 bytes is longer than 1048576"},
		{"spec length past end", edit(func(b []byte) []byte { b[specAt-3] = 1; return withCRC(b) }), true, "truncated: model spec needs"},
		{"huge dimensions", withCRC(append(append(append([]byte(weightsMagic), 1, 0, 0, 0, 2, 0, 0, 0, '{', '}', 1, 0, 0, 0, 0, 0, 4),
			bytes.Repeat([]byte{0xff}, 16)...), 0, 0, 0, 0)), true, "claims more values than the file holds"},
		{"rank 9", withCRC(append(append([]byte(weightsMagic), 1, 0, 0, 0, 2, 0, 0, 0, '{', '}', 1, 0, 0, 0, 0, 0, 9), 0, 0, 0, 0)), true, "9 dimensions"},
		{"one array missing", craft(`{}`, savedArray{name: "a", shape: Shape{2}}, savedArray{name: "b", shape: Shape{2}}),
			false, "the file has 2 weight arrays, this model more: layer 2 (test_scale_1) kernel (2) is missing"},
		{"one array extra", craft(`{}`, savedArray{shape: Shape{2}}, savedArray{shape: Shape{2}}, savedArray{shape: Shape{2}}, savedArray{name: "x", shape: Shape{1}}),
			false, `the file has 4 weight arrays, this model 3: "x" (1) is extra`},
		{"different shape", saveT(t, buildT(t, ModelSpec{Input: []int{2, 3, 4}, Layers: scaleSpec().Layers}, 1)),
			false, "nn: weights file is for a different model: layer 1 (test_scale) kernel is (4) in the file, (2) here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := buildT(t, scaleSpec(), 3)
			before := weightBits(m)
			err := m.LoadWeights(bytes.NewReader(tt.file))
			require.Error(t, err)
			var fe FormatError
			assert.Equal(t, tt.format, errors.As(err, &fe), "FormatError? %v", err)
			assert.Contains(t, err.Error(), tt.msg)
			assert.Equal(t, before, weightBits(m), "the model is untouched")
		})
	}
}

// TestLoadCorruptEverywhere truncates the file at every length and flips a
// bit in every byte: each gives a FormatError and leaves the model as it was.
func TestLoadCorruptEverywhere(t *testing.T) {
	good := saveT(t, buildT(t, scaleSpec(), 1))
	m := buildT(t, scaleSpec(), 3)
	before := weightBits(m)
	check := func(t *testing.T, file []byte, msg string) {
		t.Helper()
		err := m.LoadWeights(bytes.NewReader(file))
		var fe FormatError
		require.ErrorAs(t, err, &fe)
		assert.Contains(t, err.Error(), msg)
		require.Equal(t, before, weightBits(m), "the model is untouched")
		_, err = Load(bytes.NewReader(file))
		require.ErrorAs(t, err, &fe)
	}
	for n := range len(good) {
		check(t, good[:n], "")
	}
	for i := range good {
		for _, bit := range []byte{0x01, 0x80} {
			b := append([]byte(nil), good...)
			b[i] ^= bit
			msg := "checksum mismatch"
			if i < 12 { // magic and version come before the checksum test
				msg = ""
			}
			check(t, b, msg)
		}
	}
}

type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

func TestLoadIOError(t *testing.T) {
	boom := errors.New("disk on fire")
	m := buildT(t, scaleSpec(), 3)
	err := m.LoadWeights(io.MultiReader(bytes.NewReader([]byte(weightsMagic)), failingReader{boom}))
	require.ErrorIs(t, err, boom)
	var fe FormatError
	assert.False(t, errors.As(err, &fe), "an I/O error is not a FormatError")
	_, err = Load(failingReader{boom})
	require.ErrorIs(t, err, boom)
}

// TestLoadSpecErrors covers files whose checksum is right but whose spec is
// bad, inconsistent with the arrays, or asks for more memory than the file
// could fill.
func TestLoadSpecErrors(t *testing.T) {
	k2 := savedArray{name: "test_scale/kernel", shape: Shape{2}}
	tests := []struct {
		name, spec string
		arrays     []savedArray
		msg        string
	}{
		{"not json", `{"input":[2],"layers":[`, nil, "model spec: unexpected EOF"},
		{"trailing json", `{"input":[2],"layers":[{"type":"testScale","no_bias":true}]} {}`, []savedArray{k2}, "unexpected data after"},
		{"unknown field", `{"input":[2],"layers":[{"type":"testScale","dilation":2}]}`, nil, `unknown field "dilation"`},
		{"wrong type", `{"input":"28x28","layers":[]}`, nil, "model spec: json: cannot unmarshal string"},
		{"no layers", `{"input":[2],"layers":[]}`, nil, "model spec: model has no layers"},
		{"unknown layer", `{"input":[2],"layers":[{"type":"Nope"}]}`, nil, `model spec: layer 1 (nope): unknown layer type "Nope"`},
		{"arrays do not fit", `{"input":[2],"layers":[{"type":"testScale"}]}`, []savedArray{k2, {name: "b", shape: Shape{3}}},
			"weights do not fit the file's own model spec: layer 1 (test_scale) bias is (3) in the file, (2) here"},
		{"huge dense", `{"input":[1000000],"layers":[{"type":"Dense","units":1000000}]}`, []savedArray{k2},
			`model spec: layer 1 (dense) needs more weights than the file holds`},
		{"overflowing dense", `{"input":[8],"layers":[{"type":"Dense","units":4611686018427387904}]}`, nil,
			"needs more weights than the file holds"},
		{"huge conv", `{"input":[28,28,1],"layers":[{"type":"Conv2D","kernel_size":9999,"filters":9999}]}`, nil,
			`model spec: layer 1 (conv2d) needs more weights than the file holds`},
		{"huge input", `{"input":[100000,100000],"layers":[{"type":"testScale"}]}`, nil,
			"model spec: layer 1's input (100000, 100000) is larger than 16777216 values"},
		{"weights past the budget", `{"input":[3],"layers":[{"type":"testScale","no_bias":true}]}`, []savedArray{k2},
			`layer 1 (test_scale) needs more weights than the file holds`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(bytes.NewReader(craft(tt.spec, tt.arrays...)))
			var fe FormatError
			require.ErrorAs(t, err, &fe)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

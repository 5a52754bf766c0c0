package main

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/nn"
)

// TestConvertFloat16: convert -float16 writes the page's small model at
// about half the bytes (a version 2 file), whose weights are the originals
// within float16's rounding and whose outputs are the original's within
// 0.01; convert without -float16 writes it back as float32
// (version 1) with the float16 values exactly. Bad requests say why in one
// line and write nothing.
func TestConvertFloat16(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "..", "pretrained", "small-fashion.cpw")
	half, full := filepath.Join(dir, "half.cpw"), filepath.Join(dir, "full.cpw")
	var out bytes.Buffer
	require.NoError(t, runConvert([]string{"-float16", "-weights", src, "-o", half}, &out))
	assert.Regexp(t, `^wrote .*half\.cpw: 5258 weights in float16, 11237 bytes; the largest change of a weight is [0-9.e-]+ \(\S+ became \S+\)\n$`, out.String())

	orig, err := os.ReadFile(src)
	require.NoError(t, err)
	b, err := os.ReadFile(half)
	require.NoError(t, err)
	assert.Equal(t, uint32(2), binary.LittleEndian.Uint32(b[8:]), "version 2: float16 arrays")
	assert.Less(t, len(b), len(orig)*52/100)

	m32, m16 := loadT(t, src), loadT(t, half)
	for i, p := range m32.Params() {
		for j, v := range p.W {
			got := m16.Params()[i].W[j]
			require.LessOrEqual(t, math.Abs(float64(got-v)), math.Max(math.Abs(float64(v))/2048, 0x1p-25), "param %d value %d", i, j)
		}
	}
	// On 64 noisy inputs: the same probabilities within 0.01 (the test
	// images are pretrained/float16_test.go's).
	rng := rand.New(rand.NewPCG(16, 16))
	x := make([]float32, 64*28*28)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	p32, err := m32.Predict(x, 64)
	require.NoError(t, err)
	p16, err := m16.Predict(x, 64)
	require.NoError(t, err)
	for i := range p32 {
		require.InDelta(t, p32[i], p16[i], 0.01, "output %d", i)
	}

	out.Reset()
	require.NoError(t, runConvert([]string{"-weights", half, "-o", full}, &out))
	assert.Contains(t, out.String(), "5258 weights in float32, 21747 bytes; every weight as it was")
	b, err = os.ReadFile(full)
	require.NoError(t, err)
	assert.Equal(t, uint32(1), binary.LittleEndian.Uint32(b[8:]))
	assert.Equal(t, m16.Params()[4].W, loadT(t, full).Params()[4].W)

	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-float16", "-weights", src, "-o", filepath.Join(dir, "x.npz")}, "name the output .cpw"},
		{[]string{"-float16", "-weights", filepath.Join(dir, "missing.cpw"), "-o", filepath.Join(dir, "y.cpw")}, "reading the weights"},
		{[]string{"-float16", "-weights", src, "-o", filepath.Join(dir, "no", "z.cpw")}, "does not exist"},
	} {
		err := runConvert(tt.args, &bytes.Buffer{})
		require.Error(t, err, tt.args)
		assert.Contains(t, err.Error(), tt.msg)
		assert.NotContains(t, err.Error(), "\n")
	}
	big := loadT(t, src)
	big.Params()[0].W[3] = 7e4
	tooBig := filepath.Join(dir, "big.cpw")
	f, err := os.Create(tooBig)
	require.NoError(t, err)
	require.NoError(t, big.Save(f))
	require.NoError(t, f.Close())
	err = runConvert([]string{"-float16", "-weights", tooBig, "-o", filepath.Join(dir, "big16.cpw")}, &bytes.Buffer{})
	require.ErrorContains(t, err, "nn: save as float16: conv2d/kernel weight 3 of 72 is 70000, beyond float16's range (±65504)")
	assert.NoFileExists(t, filepath.Join(dir, "big16.cpw"))
	assert.ErrorIs(t, runConvert([]string{"-float16", "-weights", src}, &bytes.Buffer{}), errUsage)
}

func loadT(t *testing.T, path string) *nn.Model {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	m, err := nn.Load(f)
	require.NoError(t, err)
	return m
}

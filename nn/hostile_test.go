package nn

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Hostile model files: well-formed .cpw and .npz files whose model must not
// replace the one in use. The page and the command line load models for
// Fashion-MNIST or MNIST digits, so the data set here is theirs: 28x28x1
// images of 10 classes. The .npz files hold weights for SmallSpec, the
// page's small pretrained model. This file writes them (go test ./nn -run
// TestHostileFixtures -update-hostile) and checks that each is refused with
// one line naming its problem; the worker's and the page's tests load the
// same files, and FuzzLoadWeights and FuzzImportNPZ start from them.

var updateHostile = flag.Bool("update-hostile", false, "rewrite testdata/hostile/")

const hostileDir = "testdata/hostile"

// The data set every hostile file is checked against.
var (
	hostileInput   = Shape{28, 28, 1}
	hostileClasses = 10
)

// hostile lists each fixture, how it is made, and the error that refuses it.
var hostile = []struct {
	file string
	make func(t testing.TB) []byte
	want string // a regexp the one-line error must match
}{
	{"nan-weight.cpw", func(t testing.TB) []byte { return poisonedSmall(t, 4, 17, float32(math.NaN())).cpw },
		`^nn: layer 6 \(dense\) kernel has a NaN weight \(index 17 of 4000\): every weight must be a finite number$`},
	{"inf-weight.cpw", func(t testing.TB) []byte { return poisonedSmall(t, 3, 2, float32(math.Inf(1))).cpw },
		`^nn: layer 3 \(conv2d_1\) bias has a \+Inf weight \(index 2 of 16\): every weight must be a finite number$`},
	// The same in a float16 file (version 2): refused with the same line.
	{"nan-weight-float16.cpw", func(t testing.TB) []byte { return poisonedHalf(t, 4, 17, float32(math.NaN())) },
		`^nn: layer 6 \(dense\) kernel has a NaN weight \(index 17 of 4000\): every weight must be a finite number$`},
	{"inf-weight-float16.cpw", func(t testing.TB) []byte { return poisonedHalf(t, 1, 5, float32(math.Inf(-1))) },
		`^nn: layer 1 \(conv2d\) bias has a -Inf weight \(index 5 of 8\): every weight must be a finite number$`},
	{"input-3-values.cpw", func(t testing.TB) []byte {
		return builtCPW(t, ModelSpec{Input: []int{3}, Layers: []LayerSpec{{Type: "Dense", Units: 10, Activation: "softmax"}}})
	}, `^nn: the model takes inputs of shape \(3\), but the data set's images are \(28, 28, 1\)$`},
	{"input-rgb.cpw", func(t testing.TB) []byte {
		return builtCPW(t, ModelSpec{Input: []int{28, 28, 3}, Layers: []LayerSpec{
			{Type: "Conv2D", Filters: 4, KernelSize: 3, Activation: "relu"}, {Type: "MaxPooling2D"},
			{Type: "Flatten"}, {Type: "Dense", Units: 10, Activation: "softmax"}}})
	}, `^nn: the model takes inputs of shape \(28, 28, 3\), but the data set's images are \(28, 28, 1\)$`},
	{"classes-5.cpw", func(t testing.TB) []byte {
		return builtCPW(t, ModelSpec{Input: []int{28, 28, 1}, Layers: []LayerSpec{
			{Type: "Flatten"}, {Type: "Dense", Units: 5, Activation: "softmax"}}})
	}, `^nn: the model outputs 5 class scores, but the data set has 10 classes$`},
	{"output-map.cpw", func(t testing.TB) []byte {
		return builtCPW(t, ModelSpec{Input: []int{28, 28, 1}, Layers: []LayerSpec{
			{Type: "Conv2D", Filters: 10, KernelSize: 3, Padding: "same", Activation: "softmax"}}})
	}, `^nn: the model outputs \(28, 28, 10\), not a vector of scores for the data set's 10 classes$`},
	// 28 * 2^61 overflows to -2^63: the shape rule must not wrap around.
	{"stride-2e61.cpw", func(t testing.TB) []byte { return transposeCPW(2, 1<<61) },
		`^nn: (invalid weights file: model spec: )?layer 1 \(conv2d_transpose\)`},
	// 28 * 1200 = 33600: a 33600x33600 map, 1.1e9 values, too large to allocate.
	{"stride-1200.cpw", func(t testing.TB) []byte { return transposeCPW(3, 1200) },
		`^nn: (invalid weights file: model spec: )?layer 1 \(conv2d_transpose\)`},
	// 28 * 658812288346769701 wraps around 2^64 to 12: a plausible 12x12 map
	// that loaded, and predicted, before strides were bounded.
	{"stride-wraps.cpw", func(t testing.TB) []byte {
		return rawCPW(ModelSpec{Input: []int{28, 28, 1}, Layers: []LayerSpec{
			{Type: "Conv2DTranspose", Filters: 1, KernelSize: 2, Strides: math.MaxUint64/28 + 1},
			{Type: "Flatten"}, {Type: "Dense", Units: 10, Activation: "softmax"}}},
			savedArray{name: "conv2d_transpose/kernel", shape: Shape{2, 2, 1, 1}}, savedArray{name: "conv2d_transpose/bias", shape: Shape{1}},
			savedArray{name: "dense/kernel", shape: Shape{144, 10}}, savedArray{name: "dense/bias", shape: Shape{10}})
	}, `^nn: (invalid weights file: model spec: )?layer 1 \(conv2d_transpose\)`},
	// 28 * 7096215898565343880 wraps around to a map whose Flatten has a
	// negative length: Build panicked (makeslice) before strides were bounded.
	{"stride-panics.cpw", func(t testing.TB) []byte {
		return rawCPW(ModelSpec{Input: []int{28, 28, 1}, Layers: []LayerSpec{
			{Type: "Conv2DTranspose", Filters: 1, KernelSize: 2, Strides: 7096215898565343880},
			{Type: "Flatten"}, {Type: "Dense", Units: 10, Activation: "softmax"}}},
			savedArray{name: "conv2d_transpose/kernel", shape: Shape{2, 2, 1, 1}}, savedArray{name: "conv2d_transpose/bias", shape: Shape{1}},
			savedArray{name: "dense/kernel", shape: Shape{1, 10}}, savedArray{name: "dense/bias", shape: Shape{10}})
	}, `^nn: (invalid weights file: model spec: )?layer 1 \(conv2d_transpose\)`},
	// A 2^20 x 2^20 kernel, whose 2^40 weights the file does not hold.
	{"huge-kernel.cpw", func(t testing.TB) []byte {
		return rawCPW(ModelSpec{Input: []int{28, 28, 1}, Layers: []LayerSpec{
			{Type: "Conv2D", Filters: 1, KernelSize: 1 << 20, Padding: "same"},
			{Type: "Flatten"}, {Type: "Dense", Units: 10, Activation: "softmax"}}},
			savedArray{name: "conv2d/kernel", shape: Shape{1, 1, 1, 1}}, savedArray{name: "conv2d/bias", shape: Shape{1}})
	}, `^nn: (invalid weights file: model spec: )?layer 1 \(conv2d\)`},
	{"nan-weight.npz", func(t testing.TB) []byte { return poisonedSmall(t, 4, 17, float32(math.NaN())).npz },
		`^nn: layer 6 \(dense\) kernel \(npz arr_4\) has a NaN weight \(index 17 of 4000\): every weight must be a finite number$`},
	{"inf-weight.npz", func(t testing.TB) []byte { return poisonedSmall(t, 1, 7, float32(math.Inf(-1))).npz },
		`^nn: layer 1 \(conv2d\) bias \(npz arr_1\) has a -Inf weight \(index 7 of 8\): every weight must be a finite number$`},
	// A float64 beyond float32's range, finite in the file, +Inf once converted.
	{"float64-overflow.npz", float64OverflowNPZ,
		`^nn: layer 6 \(dense\) bias \(npz arr_5\) has a \+Inf weight \(index 3 of 10\): every weight must be a finite number$`},
}

type cpwAndNPZ struct{ cpw, npz []byte }

// poisonedSmall is SmallSpec (seed 1) with parameter p's value i set to v,
// saved both ways.
func poisonedSmall(t testing.TB, p, i int, v float32) cpwAndNPZ {
	m := buildT(t, SmallSpec(), 1)
	m.Params()[p].W[i] = v
	return cpwAndNPZ{saveT(t, m), exportT(t, m)}
}

// poisonedHalf is poisonedSmall's .cpw in float16, written past
// SaveFloat16's own refusal of such a model.
func poisonedHalf(t testing.TB, p, i int, v float32) []byte {
	m := buildT(t, SmallSpec(), 1)
	m.Params()[p].W[i] = v
	var b bytes.Buffer
	require.NoError(t, m.save(&b, nil, true))
	return b.Bytes()
}

// builtCPW is the model of spec, built from seed 1, as Save writes it.
func builtCPW(t testing.TB, spec ModelSpec) []byte { return saveT(t, buildT(t, spec, 1)) }

// transposeCPW is a 28x28x1 input grown by one Conv2DTranspose of kernel k
// and stride s, written without Build, which may refuse the spec.
func transposeCPW(k, s int) []byte {
	spec := ModelSpec{Input: []int{28, 28, 1}, Layers: []LayerSpec{{Type: "Conv2DTranspose", Filters: 1, KernelSize: k, Strides: s}}}
	kernel := make([]float32, k*k)
	for i := range kernel {
		kernel[i] = 0.25
	}
	return rawCPW(spec, savedArray{name: "conv2d_transpose/kernel", shape: Shape{k, k, 1, 1}, raw: f32Bytes(kernel)},
		savedArray{name: "conv2d_transpose/bias", shape: Shape{1}, raw: f32Bytes([]float32{0})})
}

func f32Bytes(v []float32) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

// rawCPW writes a .cpw of spec and arrays (all zeros when raw is nil) as
// Save would, field by field, without building the model.
func rawCPW(spec ModelSpec, arrays ...savedArray) []byte {
	js, err := json.Marshal(spec)
	if err != nil {
		panic(err)
	}
	b := append([]byte(weightsMagic), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(b[len(weightsMagic):], 1) // version 1: records without an element type
	b = appendBytes32(b, js)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(arrays)))
	for _, a := range arrays {
		raw := a.raw
		if raw == nil {
			raw = make([]byte, 4*a.shape.Size())
		}
		b = binary.LittleEndian.AppendUint16(b, uint16(len(a.name)))
		b = append(b, a.name...)
		b = append(b, byte(len(a.shape)))
		for _, d := range a.shape {
			b = binary.LittleEndian.AppendUint32(b, uint32(d))
		}
		b = append(b, raw...)
	}
	b = binary.LittleEndian.AppendUint32(b, 0) // no optimizer
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// float64OverflowNPZ is SmallSpec's weights (seed 1) with the dense bias
// stored as float64, its value 3 being 1e39.
func float64OverflowNPZ(t testing.TB) []byte {
	m := buildT(t, SmallSpec(), 1)
	var entries []string
	var contents [][]byte
	for i, p := range m.Params() {
		entries = append(entries, fmt.Sprintf("arr_%d.npy", i))
		npy := appendNPY(nil, p.Shape, p.W)
		if i == 5 {
			header := bytes.Replace(appendNPY(nil, p.Shape, nil), []byte("'<f4'"), []byte("'<f8'"), 1)
			npy = header
			for j := range p.W {
				v := float64(p.W[j])
				if j == 3 {
					v = 1e39
				}
				npy = binary.LittleEndian.AppendUint64(npy, math.Float64bits(v))
			}
		}
		contents = append(contents, npy)
	}
	return zipT(t, zip.Store, entries...)(contents...)
}

// TestHostileFixtures writes testdata/hostile/ with -update-hostile, and
// otherwise checks that the files are what this generator makes, and that
// the directory holds nothing else.
func TestHostileFixtures(t *testing.T) {
	var names []string
	for _, h := range hostile {
		names = append(names, h.file)
		got := h.make(t)
		path := filepath.Join(hostileDir, h.file)
		if *updateHostile {
			require.NoError(t, os.MkdirAll(hostileDir, 0o755))
			require.NoError(t, os.WriteFile(path, got, 0o644))
			continue
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(want, got), "%s differs from what its generator makes: run go test ./nn -run TestHostileFixtures -update-hostile", path)
	}
	entries, err := os.ReadDir(hostileDir)
	require.NoError(t, err)
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	slices.Sort(names)
	assert.Equal(t, names, files, "every file in %s has its entry in hostile", hostileDir)
}

// loadHostile loads a hostile file as the page and the command line do: a
// .cpw builds its model, checked against the data set; an .npz goes into
// SmallSpec, which must stay unchanged when it is refused.
func loadHostile(t *testing.T, file string, b []byte) error {
	if strings.HasSuffix(file, ".npz") {
		m := buildT(t, SmallSpec(), 2)
		before := weightBits(m)
		err := importT(m, b)
		require.Equal(t, before, weightBits(m), "a refused .npz leaves the model as it was")
		return err
	}
	m, err := Load(bytes.NewReader(b))
	if err != nil {
		require.Nil(t, m)
		return err
	}
	return ValidateFor(m, hostileInput, hostileClasses)
}

// TestHostileFilesAreRefused loads every hostile file and checks that it is
// refused with one line naming the problem.
func TestHostileFilesAreRefused(t *testing.T) {
	for _, h := range hostile {
		t.Run(h.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(hostileDir, h.file))
			require.NoError(t, err)
			err = loadHostile(t, h.file, b)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), "\n", "one line")
			assert.Regexp(t, regexp.MustCompile(h.want), err.Error())
			t.Log(err)
		})
	}
}

// hostileSeeds returns the hostile files with the given suffix, to seed the
// fuzz targets.
func hostileSeeds(f *testing.F, suffix string) [][]byte {
	var seeds [][]byte
	for _, h := range hostile {
		if strings.HasSuffix(h.file, suffix) {
			b, err := os.ReadFile(filepath.Join(hostileDir, h.file))
			require.NoError(f, err)
			seeds = append(seeds, b)
		}
	}
	return seeds
}

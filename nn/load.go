package nn

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"strings"
)

// Reading convplay's weight format: the whole file is decoded and checked
// before any weight of the model is written, so a failed load changes nothing.

// savedArray is one decoded array; raw holds its values, still
// little-endian bytes inside the file: float32, or float16 when half is set
// (version 2 files).
type savedArray struct {
	name  string
	shape Shape
	half  bool
	raw   []byte
}

// width is the bytes of one value.
func (a savedArray) width() int {
	if a.half {
		return 2
	}
	return 4
}

// len is the number of values.
func (a savedArray) len() int { return len(a.raw) / a.width() }

// at is the array's i-th value, widened to float32 if it is a float16.
func (a savedArray) at(i int) float32 {
	if a.half {
		return float16ToFloat32(binary.LittleEndian.Uint16(a.raw[2*i:]))
	}
	return math.Float32frombits(binary.LittleEndian.Uint32(a.raw[4*i:]))
}

func (a savedArray) decodeInto(dst []float32) {
	dst = dst[:a.len()]
	for i := range dst {
		dst[i] = a.at(i)
	}
}

// firstNonFinite returns the index of the array's first NaN or infinity, or -1.
func (a savedArray) firstNonFinite() int {
	if !a.half {
		return firstNonFiniteRaw(a.raw)
	}
	for i := 0; i+2 <= len(a.raw); i += 2 {
		if float16NonFinite(binary.LittleEndian.Uint16(a.raw[i:])) {
			return i / 2
		}
	}
	return -1
}

// weightsFile is a parsed, checksum-verified weights file.
type weightsFile struct {
	spec    []byte // ModelSpec JSON
	arrays  []savedArray
	optSpec []byte // OptimizerSpec JSON; nil when the file has no optimizer section
	iter    int64
	slots   []savedArray
}

// decoder reads fields from a byte slice; the first problem sticks in err.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) next(n int, what string) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b)-d.off {
		d.err = formatErrorf("truncated: %s needs %d bytes at offset %d, %d remain", what, n, d.off, len(d.b)-d.off)
		return nil
	}
	s := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return s
}

func (d *decoder) u8(what string) int {
	if s := d.next(1, what); s != nil {
		return int(s[0])
	}
	return 0
}

func (d *decoder) u16(what string) int {
	if s := d.next(2, what); s != nil {
		return int(binary.LittleEndian.Uint16(s))
	}
	return 0
}

func (d *decoder) u32(what string) int {
	if s := d.next(4, what); s != nil {
		return int(binary.LittleEndian.Uint32(s))
	}
	return 0
}

// specLength reads the length of a spec's JSON, at most maxSpecJSON.
func (d *decoder) specLength(what string) int {
	n := d.u32(what + " spec length")
	if d.err == nil && n > maxSpecJSON {
		d.err = formatErrorf("%s spec of %d bytes is longer than %d", what, n, maxSpecJSON)
	}
	return n
}

// array decodes one array, bounding its size by the bytes that remain. A
// version 2 record has its element type after the name.
func (d *decoder) array(what string, version int) savedArray {
	var a savedArray
	a.name = string(d.next(d.u16(what+" name length"), what+" name"))
	if version >= 2 {
		switch t := d.u8(what + " element type"); {
		case d.err != nil:
		case t == elemFloat16:
			a.half = true
		case t != elemFloat32:
			d.err = formatErrorf("%s %q has element type %d, not %d (float32) or %d (float16)", what, a.name, t, elemFloat32, elemFloat16)
		}
	}
	rank := d.u8(what + " rank")
	if d.err == nil && rank > maxRank {
		d.err = formatErrorf("%s %q has %d dimensions, more than %d", what, a.name, rank, maxRank)
	}
	size := 1
	for range rank {
		dim := d.u32(what + " dimension")
		if d.err != nil {
			return a
		}
		size *= dim // stays below 2^62: checked against the input below
		if size > len(d.b)/a.width() {
			d.err = formatErrorf("%s %q claims more values than the file holds", what, a.name)
			return a
		}
		a.shape = append(a.shape, dim)
	}
	a.raw = d.next(a.width()*size, what+" "+a.name+" values")
	return a
}

// parseWeights checks data's magic, version and checksum and splits it into
// its sections, without interpreting the JSON.
func parseWeights(data []byte) (*weightsFile, error) {
	if len(data) < len(weightsMagic) || string(data[:len(weightsMagic)]) != weightsMagic {
		return nil, FormatError("not a convplay weights file (wrong magic)")
	}
	d := &decoder{b: data, off: len(weightsMagic)}
	version := d.u32("version")
	if d.err == nil && (version < 1 || version > WeightsVersion) {
		if version > WeightsVersion {
			return nil, formatErrorf("version %d is newer than this program, which reads versions 1 to %d", version, WeightsVersion)
		}
		return nil, formatErrorf("unknown version %d", version)
	}
	if d.err == nil && len(data) < d.off+4 {
		d.err = FormatError("truncated: no room for the checksum")
	}
	if d.err != nil {
		return nil, d.err
	}
	body := data[:len(data)-4]
	if got, want := crc32.Checksum(body, castagnoli), binary.LittleEndian.Uint32(data[len(body):]); got != want {
		return nil, formatErrorf("checksum mismatch (file says %08x, contents give %08x): the file is corrupt or truncated", want, got)
	}
	d.b = body
	f := &weightsFile{}
	f.spec = d.next(d.specLength("model"), "model spec")
	n := d.u32("weight array count")
	for i := 0; i < n && d.err == nil; i++ {
		f.arrays = append(f.arrays, d.array(fmt.Sprintf("weight array %d", i), version))
	}
	if optLen := d.specLength("optimizer"); optLen > 0 {
		f.optSpec = d.next(optLen, "optimizer spec")
		if s := d.next(8, "optimizer iterations"); s != nil {
			f.iter = int64(binary.LittleEndian.Uint64(s))
		}
		n := d.u32("optimizer slot count")
		for i := 0; i < n && d.err == nil; i++ {
			f.slots = append(f.slots, d.array(fmt.Sprintf("optimizer slot %d", i), version))
		}
	}
	if d.err == nil && d.off != len(body) {
		d.err = formatErrorf("%d unexpected bytes before the checksum", len(body)-d.off)
	}
	return f, d.err
}

// readWeights reads all of r, refusing more than maxWeightsFile bytes.
// A reader that knows its size (bytes.Reader, os.File) gets a buffer of that
// size at once rather than one grown by doubling.
func readWeights(r io.Reader) (*weightsFile, error) {
	var buf bytes.Buffer
	size := -1
	switch r := r.(type) {
	case interface{ Len() int }:
		size = r.Len()
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			size = int(min(fi.Size(), maxWeightsFile))
		}
	}
	if size >= 0 && size <= maxWeightsFile {
		buf.Grow(size + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(r, maxWeightsFile+1)); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	if len(data) > maxWeightsFile {
		return nil, formatErrorf("larger than %d bytes", maxWeightsFile)
	}
	return parseWeights(data)
}

// checkArrays reports the first difference between the file's arrays and the
// model's parameters, in Params order.
func (m *Model) checkArrays(arrays []savedArray) error {
	i := 0
	for li, l := range m.Layers {
		for _, p := range l.Params() {
			if i == len(arrays) {
				return fmt.Errorf("the file has %d weight arrays, this model more: layer %d (%s) %s %v is missing",
					len(arrays), li+1, l.Spec().Name, p.Name, Shape(p.Shape))
			}
			if a := arrays[i]; !a.shape.Equal(p.Shape) {
				return fmt.Errorf("layer %d (%s) %s is %v in the file, %v here",
					li+1, l.Spec().Name, p.Name, a.shape, Shape(p.Shape))
			}
			i++
		}
	}
	if i != len(arrays) {
		return fmt.Errorf("the file has %d weight arrays, this model %d: %q %v is extra",
			len(arrays), i, arrays[i].name, arrays[i].shape)
	}
	return nil
}

// setWeights copies the (already checked) arrays into the parameters.
func (m *Model) setWeights(arrays []savedArray) {
	for i, p := range m.Params() {
		arrays[i].decodeInto(p.W)
	}
}

// LoadWeights reads a weights file written by Save and copies its weights
// into m, like Keras's load_weights: arrays are matched by order and must
// have the parameters' shapes; names and the file's spec are not compared.
// The file is read and checked in full before the first weight is written,
// so on any error m is unchanged. A malformed file gives a FormatError, a
// weight that is NaN or infinite a ModelError.
func (m *Model) LoadWeights(r io.Reader) error {
	f, err := readWeights(r)
	if err != nil {
		return err
	}
	if err := m.checkArrays(f.arrays); err != nil {
		return fmt.Errorf("nn: weights file is for a different model: %w", err)
	}
	if err := m.checkFinite(f.arrays); err != nil {
		return err
	}
	m.setWeights(f.arrays)
	return nil
}

// Load reads a weights file written by Save and rebuilds the model it
// describes, with its weights. A malformed file gives a FormatError; a
// well-formed file whose model cannot be used (a weight that is NaN or
// infinite, a layer's output empty or larger than maxActivation values) a
// ModelError. Whether the model fits a data set is ValidateFor's to check.
func Load(r io.Reader) (*Model, error) {
	m, _, err := loadFile(r, false)
	return m, err
}

// LoadWithOptimizer is Load that also restores the optimizer saved by
// SaveWithOptimizer: its spec, iterations and slots. opt is nil when the file
// has no optimizer section.
func LoadWithOptimizer(r io.Reader) (*Model, Optimizer, error) {
	return loadFile(r, true)
}

func loadFile(r io.Reader, withOpt bool) (*Model, Optimizer, error) {
	f, err := readWeights(r)
	if err != nil {
		return nil, nil, err
	}
	var spec ModelSpec
	if err := strictJSON(f.spec, &spec); err != nil {
		return nil, nil, formatErrorf("model spec: %v", err)
	}
	if err := checkWindows(spec); err != nil {
		return nil, nil, err
	}
	budget := 0
	for _, a := range f.arrays {
		budget += a.len()
	}
	if err := checkBuildCost(spec, budget); err != nil {
		return nil, nil, err
	}
	m, err := Build(spec, 0)
	if err != nil {
		return nil, nil, formatErrorf("model spec: %s", strings.TrimPrefix(err.Error(), "nn: "))
	}
	if err := checkShapes(m); err != nil {
		return nil, nil, err
	}
	if err := m.checkArrays(f.arrays); err != nil {
		return nil, nil, formatErrorf("weights do not fit the file's own model spec: %v", err)
	}
	if err := m.checkFinite(f.arrays); err != nil {
		return nil, nil, err
	}
	var opt Optimizer
	if withOpt && f.optSpec != nil {
		if opt, err = m.restoreOptimizer(f); err != nil {
			return nil, nil, err
		}
	}
	m.setWeights(f.arrays)
	return m, opt, nil
}

// restoreOptimizer rebuilds the optimizer section's optimizer for m.
func (m *Model) restoreOptimizer(f *weightsFile) (Optimizer, error) {
	var spec OptimizerSpec
	if err := strictJSON(f.optSpec, &spec); err != nil {
		return nil, formatErrorf("optimizer spec: %v", err)
	}
	opt, err := NewOptimizer(spec)
	if err != nil {
		return nil, formatErrorf("optimizer spec: %s", strings.TrimPrefix(err.Error(), "nn: "))
	}
	params := m.Params()
	opt.Init(params)
	state := opt.State()
	if len(f.slots) != len(state) {
		return nil, formatErrorf("optimizer %s needs %d slot arrays, the file has %d", spec.Name, len(state), len(f.slots))
	}
	for k, s := range f.slots {
		if p := params[k%len(params)]; !s.shape.Equal(p.Shape) {
			return nil, formatErrorf("optimizer slot %d (%s) is %v, its parameter %v", k, s.name, s.shape, Shape(p.Shape))
		}
		if j := s.firstNonFinite(); j >= 0 {
			return nil, notFinite(fmt.Sprintf("optimizer slot %d (%s)", k, s.name), s.at(j), j, s.len())
		}
	}
	for k, s := range f.slots {
		s.decodeInto(state[k])
	}
	if f.iter < 0 {
		return nil, formatErrorf("optimizer iterations %d is negative", f.iter)
	}
	opt.SetIterations(f.iter)
	return opt, nil
}

// strictJSON decodes data into v, refusing unknown fields and trailing data.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

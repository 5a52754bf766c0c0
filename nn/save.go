package nn

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

// convplay's weight format (.cpw): a model's spec and weights, optionally its
// optimizer's state, little-endian, ending in a CRC-32C of everything before
// it. docs/weights-format.md documents it field by field.

const (
	weightsMagic   = "\x89CPW\r\n\x1a\n" // like PNG's: catches text-mode transfers
	WeightsVersion = 2                   // the newest version this package reads and writes

	// A version 2 array record names its element type (docs/weights-format.md).
	elemFloat32 = 0
	elemFloat16 = 1

	maxWeightsFile = 1 << 30 // bytes; Load refuses larger inputs
	maxSpecJSON    = 1 << 20 // bytes of model or optimizer spec JSON
	maxRank        = 8       // dimensions of one saved array
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// FormatError reports a malformed weights file (.cpw or .npz): truncated,
// corrupt, or not a weights file at all. I/O errors are returned as they are,
// and a well-formed file for a different architecture gives an ordinary
// error, so callers can tell the three apart.
type FormatError string

func (e FormatError) Error() string { return "nn: invalid weights file: " + string(e) }

func formatErrorf(format string, args ...any) error { return FormatError(fmt.Sprintf(format, args...)) }

// Save writes the model's spec and weights in convplay's weight format, as
// float32 (a version 1 file, which every reader of the format reads).
func (m *Model) Save(w io.Writer) error { return m.SaveWithOptimizer(w, nil) }

// SaveFloat16 writes the model like Save with every weight rounded to the
// nearest float16 (ties to even), half the bytes: a version 2 file, which
// Load widens back to float32. It refuses a model with a weight that is NaN,
// infinite or beyond float16's range (±65504), which would not load again.
// What the rounding costs in accuracy is the caller's to measure.
func (m *Model) SaveFloat16(w io.Writer) error {
	names := m.paramNames()
	for i, p := range m.Params() {
		for j, v := range p.W {
			if float16NonFinite(float32ToFloat16(v)) { // NaN, or beyond 65504 after rounding
				return fmt.Errorf("nn: save as float16: %s weight %d of %d is %g, beyond float16's range (±%d)", names[i], j, len(p.W), v, float16Max)
			}
		}
	}
	return m.save(w, nil, true)
}

// SaveWithOptimizer writes the model like Save and, when opt is not nil, the
// optimizer's spec, iteration count and slot arrays, so training can resume
// where it stopped. opt must be the model's optimizer (its slots follow the
// model's parameters); it is initialized if it has not stepped yet.
func (m *Model) SaveWithOptimizer(w io.Writer, opt Optimizer) error { return m.save(w, opt, false) }

// save writes the file; half stores the weights (not the optimizer's slots,
// whose tiny second moments float16 would flush to zero) as float16.
func (m *Model) save(w io.Writer, opt Optimizer, half bool) error {
	spec, err := json.Marshal(m.Spec)
	if err != nil {
		return fmt.Errorf("nn: save: %w", err)
	}
	params := m.Params()
	b := make([]byte, 0, 64+len(spec)+m.savedSize(params, opt))
	b = append(b, weightsMagic...)
	// The oldest version that holds the file: version 1 records have no
	// element type, so a float32 file stays readable by older programs.
	version := 1
	if half {
		version = 2
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(version))
	b = appendBytes32(b, spec)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(params)))
	names := m.paramNames()
	for i, p := range params {
		b = appendArray(b, version, names[i], p.Shape, p.W, half)
	}
	if opt == nil {
		b = binary.LittleEndian.AppendUint32(b, 0)
	} else {
		ospec, err := json.Marshal(opt.Spec())
		if err != nil {
			return fmt.Errorf("nn: save: %w", err)
		}
		opt.Init(params)
		state := opt.State()
		if len(params) > 0 && len(state)%len(params) != 0 {
			panic(fmt.Sprintf("nn: optimizer has %d slot arrays for %d parameters", len(state), len(params)))
		}
		b = appendBytes32(b, ospec)
		b = binary.LittleEndian.AppendUint64(b, uint64(opt.Iterations()))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(state)))
		for k, s := range state {
			p := params[k%len(params)]
			b = appendArray(b, version, fmt.Sprintf("slot%d/%s", k/len(params), names[k%len(params)]), p.Shape, s, false)
		}
	}
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	_, err = w.Write(b)
	return err
}

// savedSize is the number of bytes the arrays of Save take, to size its buffer.
func (m *Model) savedSize(params []*Param, opt Optimizer) int {
	n := 0
	for _, p := range params {
		n += 64 + 4*len(p.Shape) + 4*len(p.W)
	}
	if opt != nil {
		n += 1024 + 2*n
	}
	return n
}

// paramNames names each parameter "layer/param", e.g. "conv2d_1/kernel", in
// Params order.
func (m *Model) paramNames() []string {
	var names []string
	for _, l := range m.Layers {
		for _, p := range l.Params() {
			names = append(names, l.Spec().Name+"/"+p.Name)
		}
	}
	return names
}

func appendBytes32(b, s []byte) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// appendArray encodes one array record: name, the element type (from
// version 2 on), rank, dimensions, values (float16 when half).
func appendArray(b []byte, version int, name string, shape []int, data []float32, half bool) []byte {
	b = binary.LittleEndian.AppendUint16(b, uint16(len(name)))
	b = append(b, name...)
	if version >= 2 {
		elem := byte(elemFloat32)
		if half {
			elem = elemFloat16
		}
		b = append(b, elem)
	}
	b = append(b, byte(len(shape)))
	for _, d := range shape {
		b = binary.LittleEndian.AppendUint32(b, uint32(d))
	}
	if half {
		for _, v := range data {
			b = binary.LittleEndian.AppendUint16(b, float32ToFloat16(v))
		}
		return b
	}
	for _, v := range data {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

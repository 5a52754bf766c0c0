package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Sizes is what a WebAssembly module holds: each defined function, the
// data segments' bytes and each section's size by its id.
type Sizes struct {
	// Funcs is every defined function in the module's order, by its index
	// in the function index space (imports first): the func_index of V8's
	// wasm trace events (wasm.CompileLazy), so a trace's functions get names.
	Funcs    []Func
	Data     int
	Sections map[byte]int
}

// Func is one defined function: its index, code size and name (from the
// "name" custom section; "func N" without one).
type Func struct {
	Index, Size int
	Name        string
}

// FormatError is a module this reader cannot take apart.
type FormatError string

func (e FormatError) Error() string { return "wasmsize: " + string(e) }

// reader walks a byte slice; every read is bounds-checked.
type reader struct {
	b   []byte
	off int
}

func (r *reader) byte() (byte, error) {
	if r.off >= len(r.b) {
		return 0, FormatError(fmt.Sprintf("unexpected end at byte %d", r.off))
	}
	c := r.b[r.off]
	r.off++
	return c, nil
}

// uleb reads an unsigned LEB128 number of at most 32 bits.
func (r *reader) uleb() (int, error) {
	var v uint64
	for shift := 0; shift < 35; shift += 7 {
		c, err := r.byte()
		if err != nil {
			return 0, err
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			if v > 1<<31 {
				return 0, FormatError(fmt.Sprintf("number %d too large at byte %d", v, r.off))
			}
			return int(v), nil
		}
	}
	return 0, FormatError(fmt.Sprintf("number too long at byte %d", r.off))
}

func (r *reader) bytes(n int) ([]byte, error) {
	if n < 0 || n > len(r.b)-r.off {
		return nil, FormatError(fmt.Sprintf("%d bytes past the end at byte %d", n, r.off))
	}
	s := r.b[r.off : r.off+n]
	r.off += n
	return s, nil
}

func (r *reader) name() (string, error) {
	n, err := r.uleb()
	if err != nil {
		return "", err
	}
	b, err := r.bytes(n)
	return string(b), err
}

// limits skips a table's or memory's limits.
func (r *reader) limits() error {
	flags, err := r.byte()
	if err != nil {
		return err
	}
	if _, err := r.uleb(); err != nil {
		return err
	}
	if flags&1 != 0 {
		_, err = r.uleb()
	}
	return err
}

// Parse reads a module's sections, its imports (to number the defined
// functions as the name section does), its code bodies and its names.
func Parse(b []byte) (*Sizes, error) {
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return nil, FormatError("not a WebAssembly module")
	}
	s := &Sizes{Sections: map[byte]int{}}
	r := &reader{b: b, off: 8}
	importedFuncs := 0
	var bodies []int
	names := map[int]string{}
	for r.off < len(b) {
		id, err := r.byte()
		if err != nil {
			return nil, err
		}
		n, err := r.uleb()
		if err != nil {
			return nil, err
		}
		body, err := r.bytes(n)
		if err != nil {
			return nil, err
		}
		s.Sections[id] += n
		sr := &reader{b: body}
		switch id {
		case 2: // imports
			if importedFuncs, err = countFuncImports(sr); err != nil {
				return nil, err
			}
		case 10: // code
			count, err := sr.uleb()
			if err != nil {
				return nil, err
			}
			for i := 0; i < count; i++ {
				size, err := sr.uleb()
				if err != nil {
					return nil, err
				}
				if _, err := sr.bytes(size); err != nil {
					return nil, err
				}
				bodies = append(bodies, size)
			}
		case 11: // data
			s.Data += n
		case 0: // custom
			nm, err := sr.name()
			if err != nil {
				return nil, err
			}
			if nm == "name" {
				if err := funcNames(sr, names); err != nil {
					return nil, err
				}
			}
		}
	}
	for i, size := range bodies {
		nm, ok := names[importedFuncs+i]
		if !ok {
			nm = fmt.Sprintf("func %d", importedFuncs+i)
		}
		s.Funcs = append(s.Funcs, Func{importedFuncs + i, size, nm})
	}
	return s, nil
}

func countFuncImports(r *reader) (int, error) {
	count, err := r.uleb()
	if err != nil {
		return 0, err
	}
	funcs := 0
	for i := 0; i < count; i++ {
		if _, err := r.name(); err != nil {
			return 0, err
		}
		if _, err := r.name(); err != nil {
			return 0, err
		}
		kind, err := r.byte()
		if err != nil {
			return 0, err
		}
		switch kind {
		case 0: // function: a type index
			funcs++
			_, err = r.uleb()
		case 1: // table: a reference type and limits
			if _, err = r.byte(); err == nil {
				err = r.limits()
			}
		case 2: // memory
			err = r.limits()
		case 3: // global: a value type and mutability
			_, err = r.bytes(2)
		default:
			err = FormatError(fmt.Sprintf("import kind %d", kind))
		}
		if err != nil {
			return 0, err
		}
	}
	return funcs, nil
}

// funcNames reads the function names subsection (1) of a name section.
func funcNames(r *reader, names map[int]string) error {
	for r.off < len(r.b) {
		sub, err := r.byte()
		if err != nil {
			return err
		}
		n, err := r.uleb()
		if err != nil {
			return err
		}
		body, err := r.bytes(n)
		if err != nil {
			return err
		}
		if sub != 1 {
			continue
		}
		sr := &reader{b: body}
		count, err := sr.uleb()
		if err != nil {
			return err
		}
		for i := 0; i < count; i++ {
			idx, err := sr.uleb()
			if err != nil {
				return err
			}
			if names[idx], err = sr.name(); err != nil {
				return err
			}
		}
	}
	return nil
}

// Package is the Go package a function name belongs to. Go's linker
// writes import paths with "_" for "/" in WebAssembly names
// ("convplay_nn.(*Model).Forward", "encoding_json.Marshal", and
// "golang.org_x_image_draw.init" for a module path with a domain), so the
// package is the name up to its first dot, or its second where the first
// only ends a domain's first label; "type_" holds the linker's type
// functions.
func Package(fn string) string {
	dot := strings.IndexByte(fn, '.')
	if dot < 0 {
		return fn
	}
	for _, tld := range []string{"org_", "com_", "net_", "io_", "dev_", "in_"} {
		if strings.HasPrefix(fn[dot+1:], tld) {
			if next := strings.IndexByte(fn[dot+1:], '.'); next >= 0 {
				return fn[:dot+1+next]
			}
			return fn
		}
	}
	return fn[:dot]
}

// share is one package's code bytes.
type share struct {
	Pkg   string
	Bytes int
}

// ByPackage sums the functions' code by package, largest first.
func (s *Sizes) ByPackage() []share {
	sum := map[string]int{}
	for _, f := range s.Funcs {
		sum[Package(f.Name)] += f.Size
	}
	out := make([]share, 0, len(sum))
	for p, n := range sum {
		out = append(out, share{p, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Bytes != out[j].Bytes {
			return out[i].Bytes > out[j].Bytes
		}
		return out[i].Pkg < out[j].Pkg
	})
	return out
}

var errEmpty = errors.New("wasmsize: no code section")

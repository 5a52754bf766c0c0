package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// module builds a tiny module by hand: one imported function, two defined
// ones with bodies of 3 and 5 bytes, a 4-byte data section and a name
// section naming the defined ones (indices 1 and 2).
func module() []byte {
	b := []byte("\x00asm\x01\x00\x00\x00")
	section := func(id byte, body []byte) {
		b = append(b, id, byte(len(body)))
		b = append(b, body...)
	}
	section(2, []byte{1, 2, 'g', 'o', 1, 'f', 0, 0})           // import go.f, a function
	section(10, []byte{2, 3, 0, 0, 0x0b, 5, 0, 0, 0, 0, 0x0b}) // two bodies
	section(11, []byte{1, 0, 0, 0})
	names := []byte{2} // two names
	for i, n := range []string{"convplay_nn.Forward", "encoding_json"} {
		names = append(names, byte(1+i), byte(len(n)))
		names = append(names, n...)
	}
	sub := append([]byte{1, byte(len(names))}, names...)
	section(0, append([]byte{4, 'n', 'a', 'm', 'e'}, sub...))
	return b
}

func TestParse(t *testing.T) {
	s, err := Parse(module())
	require.NoError(t, err)
	assert.Equal(t, 4, s.Data)
	assert.Equal(t, []share{{"encoding_json", 5}, {"convplay_nn", 3}}, s.ByPackage())
	// Indexes count the imported function first, as V8's func_index does.
	assert.Equal(t, []Func{{1, 3, "convplay_nn.Forward"}, {2, 5, "encoding_json"}}, s.Funcs)
}

func TestPackage(t *testing.T) {
	for fn, want := range map[string]string{
		"convplay_nn.(*Model).Forward":            "convplay_nn",
		"encoding_json.Marshal":                   "encoding_json",
		"golang.org_x_image_draw.(*Kernel).Scale": "golang.org_x_image_draw",
		"runtime.gcDrain_m":                       "runtime",
		"type_.eq.internal_abi.ITab":              "type_",
		"main.op":                                 "main",
		"func 12":                                 "func 12",
	} {
		assert.Equal(t, want, Package(fn), fn)
	}
}

func TestParseRefuses(t *testing.T) {
	good := module()
	for name, b := range map[string][]byte{
		"empty":         nil,
		"not wasm":      []byte("\x7fELF\x02\x01\x01\x00"),
		"cut section":   good[:len(good)-3],
		"cut header":    good[:10],
		"huge size":     append([]byte("\x00asm\x01\x00\x00\x00"), 10, 0xff, 0xff, 0xff, 0xff, 0x0f),
		"endless leb":   append([]byte("\x00asm\x01\x00\x00\x00"), 10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80),
		"bad import":    append([]byte("\x00asm\x01\x00\x00\x00"), 2, 4, 1, 0, 0, 9),
		"body too long": append([]byte("\x00asm\x01\x00\x00\x00"), 10, 3, 1, 9, 0),
	} {
		_, err := Parse(b)
		var fe FormatError
		assert.ErrorAs(t, err, &fe, name)
	}
}

// FuzzParse: any bytes give sizes or a FormatError, never a panic; the
// seeds are the hand-made module and, when built, the engine itself.
func FuzzParse(f *testing.F) {
	f.Add(module())
	if b, err := os.ReadFile("../../web/convplay.wasm"); err == nil && len(b) < 1<<24 {
		f.Add(b[:4096])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse(b)
		if err != nil {
			if _, ok := err.(FormatError); !ok {
				t.Fatalf("error %v is not a FormatError", err)
			}
			return
		}
		total := 0
		for _, f := range s.Funcs {
			total += f.Size
		}
		if total+s.Data > len(b) {
			t.Fatalf("sizes %d + %d exceed the file's %d bytes", total, s.Data, len(b))
		}
	})
}

package nn

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// parseNPYHeader parses the Python dict literal of a .npy header, e.g.
// "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }".
func parseNPYHeader(h string) (NPYHeader, error) {
	var out NPYHeader
	p := &pyParser{s: h}
	seen := map[string]bool{}
	p.expect('{')
	for p.err == nil && !p.accept('}') {
		key := p.str()
		p.expect(':')
		if seen[key] {
			p.fail("key %q twice", key)
		}
		seen[key] = true
		switch key {
		case "descr":
			out.Dtype = p.str()
			if _, ok := parseDtype(out.Dtype); !ok && p.err == nil {
				p.fail("dtype %q is not supported (want integers, float32 or float64)", out.Dtype)
			}
		case "fortran_order":
			if p.word() != "False" && p.err == nil {
				p.fail("Fortran-order arrays are not supported; save in C order (np.ascontiguousarray)")
			}
		case "shape":
			out.Shape = p.tuple()
		default:
			p.fail("unknown key %q", key)
		}
		if !p.accept(',') {
			p.expect('}')
			break
		}
	}
	p.space()
	if p.err == nil && p.i != len(p.s) {
		p.fail("unexpected %q after the dict", p.s[p.i:])
	}
	if p.err == nil && len(seen) != 3 {
		p.fail("want the keys descr, fortran_order and shape")
	}
	if p.err != nil {
		return NPYHeader{}, p.err
	}
	return out, nil
}

// pyParser reads the few Python literals a .npy header uses; the first
// problem sticks in err.
type pyParser struct {
	s   string
	i   int
	err error
}

func (p *pyParser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = NPYError(".npy header: " + fmt.Sprintf(format, args...))
	}
}

func (p *pyParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *pyParser) accept(c byte) bool {
	p.space()
	if p.err == nil && p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *pyParser) expect(c byte) {
	if !p.accept(c) {
		p.fail("want %q at offset %d", c, p.i)
	}
}

// str reads a quoted string without escapes.
func (p *pyParser) str() string {
	p.space()
	if p.err != nil || p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		p.fail("want a string at offset %d", p.i)
		return ""
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		p.fail("unterminated string")
		return ""
	}
	s := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return s
}

// word reads a run of letters, digits and underscores.
func (p *pyParser) word() string {
	p.space()
	start := p.i
	for p.i < len(p.s) && (p.s[p.i] == '_' || p.s[p.i] >= '0' && p.s[p.i] <= '9' ||
		p.s[p.i] >= 'a' && p.s[p.i] <= 'z' || p.s[p.i] >= 'A' && p.s[p.i] <= 'Z') {
		p.i++
	}
	return p.s[start:p.i]
}

// tuple reads a tuple of non-negative ints: "()", "(3,)", "(3, 2)". An int
// may carry Python 2's L suffix.
func (p *pyParser) tuple() Shape {
	p.expect('(')
	shape := Shape{}
	size, comma := 1, false
	for p.err == nil && !p.accept(')') {
		w := strings.TrimSuffix(p.word(), "L")
		d, err := strconv.Atoi(w)
		if err != nil || d < 0 || d > math.MaxInt32 {
			p.fail("bad dimension %q", w)
			return nil
		}
		if size *= d; size > math.MaxInt32 {
			p.fail("shape has more than %d values", math.MaxInt32)
			return nil
		}
		shape = append(shape, d)
		if comma = p.accept(','); !comma {
			p.expect(')')
			break
		}
	}
	if len(shape) == 1 && !comma {
		// (3) is an int in Python, not a tuple; NumPy writes (3,).
		p.fail("shape (%d) is not a tuple", shape[0])
	}
	return shape
}

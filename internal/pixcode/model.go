package pixcode

// The model: each pixel is predicted from its causal neighbours (MED, the
// LOCO-I/JPEG-LS median edge detector), the prediction corrected by the
// mean error seen in its context, and the residual coded bit by bit
// (zero?, sign, Elias-gamma class in unary, mantissa). Each bit has an
// adaptive counter per context: how busy the neighbourhood is (12 levels),
// how large the neighbours' residuals were (16), how bright the prediction
// is (6); or, in a flat black neighbourhood, the pixel's position (where a
// garment's edge begins depends on where in the picture it is).

const (
	actLevels  = 12
	errLevels  = 16
	numRows    = errLevels * actLevels * predLevels
	predLevels = 6
	maxClass   = 8 // a magnitude 1..255 has 1..8 bits
	pad        = 2 // black border columns on the left and right, rows on top

	// decisions: the kinds of bit, each with its own counters per context
	decZero     = 0
	decSign     = 1  // + sign context 0..2
	decClass    = 4  // + j-1 for the unary class bit j
	decMantTop  = 12 // + class
	decMantLow  = 21 // + class*8 + bit position
	numDecision = 96
)

var actLevel, errLevel [1024]uint8

func init() {
	quantize(actLevel[:], []int{1, 3, 6, 10, 16, 24, 36, 54, 80, 120, 180})
	quantize(errLevel[:], []int{1, 2, 3, 5, 7, 10, 14, 19, 26, 35, 48, 64, 90, 128, 180})
}

func quantize(table []uint8, bounds []int) {
	for a := range table {
		l := 0
		for l < len(bounds) && a >= bounds[l] {
			l++
		}
		table[a] = uint8(l)
	}
}

// predLevel is the brightness of a prediction (in steps of m.step grey
// levels, at most m.top): black, four bands, white.
func (m *model) predLevel(pred int) int {
	switch {
	case pred == 0:
		return 0
	case pred == m.top:
		return 5
	}
	return 1 + (pred*m.step)>>6
}

func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// model is the state one chunk's coding adapts, the same on both sides.
// It codes pixel values in steps: a pixel v*step grey levels bright is v,
// 0..top (top = 255/step); step is 1 for lossless coding.
type model struct {
	h, w, stride int
	step, top    int
	img, errs    []uint8                       // padded: the image so far, its residuals' magnitudes
	counters     []counter                     // (rows, numDecision)
	errSum       [actLevels * predLevels]int32 // bias correction per context
	errN         [actLevels * predLevels]int32
}

func newModel(h, w, step int) *model {
	stride := w + 2*pad
	m := &model{h: h, w: w, stride: stride, step: step, top: 255 / step,
		img: make([]uint8, (h+pad)*stride), errs: make([]uint8, (h+pad)*stride)}
	m.counters = newCounters((numRows + h*w) * numDecision)
	return m
}

// pixelContext is what the coding of one pixel's bits depends on.
type pixelContext struct {
	pred, sctx, bias int
	row              int // the counters' row times numDecision
}

func (m *model) context(i, pos int) pixelContext {
	b, s := m.img, m.stride
	w, n := int(b[i-1]), int(b[i-s])
	nw, ne := int(b[i-s-1]), int(b[i-s+1])
	ww, nn := int(b[i-2]), int(b[i-2*s])
	var pred int
	switch {
	case nw >= max(w, n):
		pred = min(w, n)
	case nw <= min(w, n):
		pred = max(w, n)
	default:
		pred = w + n - nw
	}
	// activity and energy in grey levels, so that the levels mean the same at any step
	act := actLevel[min((absInt(w-nw)+absInt(n-nw)+absInt(n-ne)+(absInt(w-ww)+absInt(n-nn))/2)*m.step, 1023)]
	pl := m.predLevel(pred)
	bias := int(act)*predLevels + pl
	if c := m.errN[bias]; c > 0 {
		if s := m.errSum[bias]; s >= 0 {
			pred += int((s + c/2) / c)
		} else {
			pred -= int((-s + c/2) / c)
		}
		pred = min(max(pred, 0), m.top)
	}
	e := m.errs
	energy := int(e[i-1]) + int(e[i-s]) + (int(e[i-s-1])+int(e[i-s+1])+int(e[i-2])+int(e[i-2*s]))/2
	var pc pixelContext
	pc.pred, pc.bias = pred, bias
	switch {
	case ne > n:
		pc.sctx = 1
	case ne < n:
		pc.sctx = 2
	}
	if energy == 0 && act == 0 && pred == 0 {
		// flat black: where the garment begins depends on the position
		pc.row = (numRows + pos) * numDecision
		return pc
	}
	pc.row = ((int(errLevel[min(energy*m.step, 1023)])*actLevels+int(act))*predLevels + pl) * numDecision
	return pc
}

// bit codes one decision of the pixel.
func (m *model) bit(c *coder, pc *pixelContext, dec, want int) int {
	k := &m.counters[pc.row+dec]
	bit := c.bit(k.p1(), want)
	k.update(bit)
	return bit
}

// codeImage encodes the h x w image img, or decodes it into img; its
// pixels are multiples of m.step. ok is false when a decoded pixel falls
// outside 0..255 (a damaged stream). The model carries what it learnt to
// the next image.
func (m *model) codeImage(c *coder, img []uint8) (ok bool) {
	h, w, s := m.h, m.w, m.stride
	clear(m.img)
	clear(m.errs)
	for y := range h {
		for x := range w {
			i := (y+pad)*s + x + pad
			pc := m.context(i, y*w+x)
			r := 0
			if !c.decoding {
				r = int(img[y*w+x])/m.step - pc.pred
			}
			if m.bit(c, &pc, decZero, boolBit(r != 0)) == 1 {
				r = m.residual(c, &pc, r)
			}
			v := pc.pred + r
			if v < 0 || v > m.top {
				return false
			}
			m.errSum[pc.bias] += int32(r)
			if m.errN[pc.bias]++; m.errN[pc.bias] == 64 {
				m.errSum[pc.bias] /= 2
				m.errN[pc.bias] /= 2
			}
			m.img[i] = uint8(v)
			m.errs[i] = uint8(min(absInt(r), 255))
			img[y*w+x] = uint8(v * m.step)
		}
	}
	return true
}

// residual codes a residual r != 0: its sign (unless the prediction is at
// a bound), the bit length of its magnitude in unary (up to the largest the
// sign allows), then the magnitude's bits below the top one.
func (m *model) residual(c *coder, pc *pixelContext, r int) int {
	neg := boolBit(r < 0)
	switch pc.pred {
	case 0:
		neg = 0
	case m.top:
		neg = 1
	default:
		neg = m.bit(c, pc, decSign+pc.sctx, neg)
	}
	limit := m.top - pc.pred
	if neg == 1 {
		limit = pc.pred
	}
	mag := absInt(r)
	want, top := bitLen(mag), bitLen(limit)
	class := 1
	for class < top && m.bit(c, pc, decClass+class-1, boolBit(class < want)) == 1 {
		class++
	}
	got := 1
	for b := class - 2; b >= 0; b-- {
		dec := decMantLow + class*8 + b
		if b == class-2 {
			dec = decMantTop + class
		}
		got = got<<1 | m.bit(c, pc, dec, (mag>>b)&1)
	}
	if neg == 1 {
		return -got
	}
	return got
}

func boolBit(b bool) int {
	if b {
		return 1
	}
	return 0
}

// bitLen is the number of bits of v > 0.
func bitLen(v int) int {
	n := 0
	for v > 0 {
		n++
		v >>= 1
	}
	return n
}

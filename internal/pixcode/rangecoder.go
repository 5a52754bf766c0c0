package pixcode

// A binary range coder in the style of LZMA's: a 32-bit range, a carry
// propagated through a cached byte. The model gives each bit's probability
// as P(bit = 1) in 16 bits, finer than LZMA's 11, because most of an image
// is black background whose zero residual is coded at well above 99%.

const (
	probBits = 16
	topValue = 1 << 24
)

// coder is either an encoder or a decoder, so the model is written once:
// bit(p1, want) encodes want and returns it, or decodes and returns a bit.
type coder struct {
	decoding bool
	rng      uint32

	// encoder
	low       uint64
	cache     byte
	cacheSize int64
	out       []byte

	// decoder: past the end of src it reads zeros and counts them, so a
	// truncated or hostile stream decodes to something and the caller
	// checks overrun.
	code    uint32
	src     []byte
	pos     int
	overrun int
}

func newEncoder(out []byte) *coder {
	return &coder{rng: 0xFFFFFFFF, cacheSize: 1, out: out}
}

func newDecoder(src []byte) *coder {
	c := &coder{decoding: true, rng: 0xFFFFFFFF, src: src}
	for range 5 {
		c.code = c.code<<8 | uint32(c.next())
	}
	return c
}

// bit codes one bit whose probability of being 1 is p1/65536, 0 < p1 < 65536.
func (c *coder) bit(p1 uint32, want int) int {
	bound := (c.rng >> probBits) * (1<<probBits - p1) // the share of a 0
	if c.decoding {
		if c.code < bound {
			c.rng = bound
			want = 0
		} else {
			c.code -= bound
			c.rng -= bound
			want = 1
		}
		for c.rng < topValue {
			c.rng <<= 8
			c.code = c.code<<8 | uint32(c.next())
		}
		return want
	}
	if want == 0 {
		c.rng = bound
	} else {
		c.low += uint64(bound)
		c.rng -= bound
	}
	for c.rng < topValue {
		c.rng <<= 8
		c.shiftLow()
	}
	return want
}

func (c *coder) shiftLow() {
	if uint32(c.low) < 0xFF000000 || c.low>>32 != 0 {
		carry := byte(c.low >> 32)
		temp := c.cache
		for {
			c.out = append(c.out, temp+carry)
			temp = 0xFF
			if c.cacheSize--; c.cacheSize == 0 {
				break
			}
		}
		c.cache = byte(c.low >> 24)
	}
	c.cacheSize++
	c.low = (c.low & 0x00FFFFFF) << 8
}

// finish flushes the encoder and returns its output.
func (c *coder) finish() []byte {
	for range 5 {
		c.shiftLow()
	}
	return c.out
}

func (c *coder) next() byte {
	if c.pos < len(c.src) {
		b := c.src[c.pos]
		c.pos++
		return b
	}
	c.overrun++
	return 0
}

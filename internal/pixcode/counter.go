package pixcode

// counter estimates the probability that a bit is 1, in 16 bits, and adapts
// fast while young: its rate is 1/(n+1.5) until n reaches counterLimit, so a
// context seen a few times is already useful and one seen often is precise.
// (A PAQ-style mixer of six such counters gained 4% for 5x the decode time
// in WebAssembly: see BENCHMARKS.md.)
type counter struct {
	p uint16
	n uint16
}

const counterLimit = 255

var counterRate [counterLimit + 1]int32

func init() {
	for n := range counterRate {
		counterRate[n] = int32(65536 / (float64(n) + 1.5))
	}
}

func newCounters(n int) []counter {
	c := make([]counter, n)
	for i := range c {
		c[i].p = 1 << 15
	}
	return c
}

// p1 is the probability of a 1, kept away from 0 and 1 so that a surprise
// costs at most 11.4 bits.
func (c *counter) p1() uint32 { return min(max(uint32(c.p), 24), 65536-24) }

func (c *counter) update(bit int) {
	target := int32(bit) << 16
	if bit == 1 {
		target--
	}
	c.p = uint16(int32(c.p) + (target-int32(c.p))*counterRate[c.n]>>16)
	if c.n < counterLimit {
		c.n++
	}
}

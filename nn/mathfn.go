package nn

import "math"

// Portable elementary functions, bit-identical on every platform.
//
// The math package runs assembly for Exp on amd64 and arm64 and for Log on
// amd64, but its pure-Go code under WebAssembly. amd64's Exp differs from
// the pure-Go one by 1-2 ulps in about one result in eight (and returns
// +Inf from about 709.4 on, where e**x is still finite); amd64's Log is
// wrong on subnormals; math.Tanh calls math.Exp. After rounding to float32
// the differences rarely show, but a training run is only guaranteed to be
// the same natively and in the browser if every platform computes the same
// bits.
//
// portableExp, portableLog and portableTanh are the pure-Go algorithms of
// Go's math package (FreeBSD's e_exp.c and e_log.c, Cephes's tanh), with
// every product that feeds an addition wrapped in float64(): Go may fuse
// x*y+z into one FMA instruction (it does on arm64, and on amd64 with
// GOAMD64=v3), and an explicit conversion forces the product's rounding.
//
// Under WebAssembly they equal math.Exp, math.Log and math.Tanh bit for
// bit; exp and log are within 1 ulp of the correctly rounded result, tanh
// within 2 (mathfn_test.go).

// portableExp returns e**x, as math.Exp does, including its special cases
// (Exp(+Inf) = +Inf, Exp(NaN) = NaN, underflow to 0 below -745.13).
func portableExp(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01
		ln2Lo = 1.90821492927058770002e-10
		log2e = 1.44269504088896338700e+00

		overflow  = 7.09782712893383973096e+02
		underflow = -7.45133219101941108420e+02
		nearZero  = 1.0 / (1 << 28) // 2**-28
	)
	switch {
	case x != x: // NaN
		return x
	case x > overflow: // also +Inf
		return math.Inf(1)
	case x < underflow: // also -Inf
		return 0
	case -nearZero < x && x < nearZero:
		return 1 + x
	}
	// Reduce: x = k*ln2 + r with |r| <= ln2/2, r computed as hi - lo.
	var k int
	switch {
	case x < 0:
		k = int(float64(log2e*x) - 0.5)
	case x > 0:
		k = int(float64(log2e*x) + 0.5)
	}
	hi := x - float64(float64(k)*ln2Hi)
	lo := float64(float64(k) * ln2Lo)
	return expMulti(hi, lo, k)
}

// expMulti returns e**r * 2**k where r = hi - lo and |r| <= ln2/2.
func expMulti(hi, lo float64, k int) float64 {
	const (
		p1 = 1.66666666666666657415e-01  /* 0x3FC55555; 0x55555555 */
		p2 = -2.77777777770155933842e-03 /* 0xBF66C16C; 0x16BEBD93 */
		p3 = 6.61375632143793436117e-05  /* 0x3F11566A; 0xAF25DE2C */
		p4 = -1.65339022054652515390e-06 /* 0xBEBBBD41; 0xC5D26BF1 */
		p5 = 4.13813679705723846039e-08  /* 0x3E663769; 0x72BEA4D0 */
	)
	r := hi - lo
	t := float64(r * r)
	// c = r - t*(p1 + t*(p2 + t*(p3 + t*(p4 + t*p5)))), one rounding per step.
	poly := p4 + float64(t*p5)
	poly = p3 + float64(t*poly)
	poly = p2 + float64(t*poly)
	poly = p1 + float64(t*poly)
	c := r - float64(t*poly)
	y := 1 - ((lo - float64(r*c)/(2-c)) - hi)
	return math.Ldexp(y, k) // pure Go on every platform
}

// tanhP and tanhQ are Cephes's rational approximation of tanh on
// |x| < 0.625, as in Go's math package.
var (
	tanhP = [...]float64{-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3}
	tanhQ = [...]float64{1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3}
)

// portableTanh returns tanh(x) as math.Tanh does, with portableExp.
func portableTanh(x float64) float64 {
	const maxLog = 8.8029691931113054295988e+01 // log(2**127)
	z := math.Abs(x)
	switch {
	case z > 0.5*maxLog:
		if x < 0 {
			return -1
		}
		return 1
	case z >= 0.625:
		s := portableExp(2 * z)
		z = 1 - 2/(s+1)
		if x < 0 {
			z = -z
		}
		return z
	case x == 0:
		return x // keeps the sign of -0
	}
	// z = x + x*s*((P0*s + P1)*s + P2) / (((s + Q0)*s + Q1)*s + Q2), s = x*x.
	s := float64(x * x)
	num := float64(tanhP[0]*s) + tanhP[1]
	num = float64(num*s) + tanhP[2]
	den := s + tanhQ[0]
	den = float64(den*s) + tanhQ[1]
	den = float64(den*s) + tanhQ[2]
	return x + float64(float64(x*s)*num)/den
}

// portableLog returns the natural logarithm of x, as math.Log does,
// including its special cases (Log(0) = -Inf, Log(x < 0) = NaN).
func portableLog(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01 /* 3fe62e42 fee00000 */
		ln2Lo = 1.90821492927058770002e-10 /* 3dea39ef 35793c76 */
		l1    = 6.666666666666735130e-01   /* 3FE55555 55555593 */
		l2    = 3.999999999940941908e-01   /* 3FD99999 9997FA04 */
		l3    = 2.857142874366239149e-01   /* 3FD24924 94229359 */
		l4    = 2.222219843214978396e-01   /* 3FCC71C5 1D8E78AF */
		l5    = 1.818357216161805012e-01   /* 3FC74664 96CB03DE */
		l6    = 1.531383769920937332e-01   /* 3FC39A09 D078C69F */
		l7    = 1.479819860511658591e-01   /* 3FC2F112 DF3E5244 */
	)
	switch {
	case x != x || x > math.MaxFloat64: // NaN, +Inf
		return x
	case x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	}
	// Reduce: x = 2^k * (1+f) with sqrt(2)/2 < 1+f < sqrt(2).
	f1, ki := math.Frexp(x) // pure Go on every platform
	if f1 < math.Sqrt2/2 {
		f1 *= 2
		ki--
	}
	f := f1 - 1
	k := float64(ki)
	s := f / (2 + f)
	s2 := float64(s * s)
	s4 := float64(s2 * s2)
	// t1 = s2*(l1 + s4*(l3 + s4*(l5 + s4*l7))), t2 = s4*(l2 + s4*(l4 + s4*l6))
	t1 := l5 + float64(s4*l7)
	t1 = l3 + float64(s4*t1)
	t1 = l1 + float64(s4*t1)
	t1 = float64(s2 * t1)
	t2 := l4 + float64(s4*l6)
	t2 = l2 + float64(s4*t2)
	t2 = float64(s4 * t2)
	r := t1 + t2
	hfsq := float64(float64(0.5*f) * f)
	return float64(k*ln2Hi) - ((hfsq - (float64(s*(hfsq+r)) + float64(k*ln2Lo))) - f)
}

package nn

import (
	"math"
	"math/big"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// ulps is the distance between a and b in units in the last place (both
// finite and of the same sign, or equal).
func ulps(a, b float64) uint64 {
	if a == b {
		return 0
	}
	ia, ib := math.Float64bits(a), math.Float64bits(b)
	if ia > ib {
		return ia - ib
	}
	return ib - ia
}

func TestPortableExpSpecialCases(t *testing.T) {
	cases := []struct {
		name string
		x    float64
		want float64
	}{
		{"zero", 0, 1},
		{"negative zero", math.Copysign(0, -1), 1},
		{"tiny", 1e-10, 1 + 1e-10},
		{"tiny negative", -1e-10, 1 - 1e-10},
		{"one", 1, math.Exp(1)},
		{"ln2 gives 2", math.Ln2, 2},
		{"overflow", 709.8, math.Inf(1)},
		// amd64's assembly math.Exp already overflows to +Inf here.
		{"near the largest finite", 709.78, 1.7928227943945155e+308},
		{"+Inf", math.Inf(1), math.Inf(1)},
		{"-Inf", math.Inf(-1), 0},
		{"underflow", -745.2, 0},
		{"subnormal", -740, math.Exp(-740)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := portableExp(c.x)
			require.LessOrEqual(t, ulps(got, c.want), uint64(1), "exp(%v) = %v, want %v", c.x, got, c.want)
		})
	}
	require.True(t, math.IsNaN(portableExp(math.NaN())))
}

func TestPortableTanhSpecialCases(t *testing.T) {
	require.Equal(t, 0.0, portableTanh(0))
	require.True(t, math.Signbit(portableTanh(math.Copysign(0, -1))), "tanh(-0) = -0")
	require.Equal(t, 1.0, portableTanh(math.Inf(1)))
	require.Equal(t, -1.0, portableTanh(math.Inf(-1)))
	require.Equal(t, 1.0, portableTanh(50))
	require.True(t, math.IsNaN(portableTanh(math.NaN())))
	// Both branches around the switch at |x| = 0.625.
	for _, x := range []float64{0.624999, 0.625, -0.625, 0.3, -2, 10} {
		require.LessOrEqual(t, ulps(portableTanh(x), math.Tanh(x)), uint64(1), "tanh(%v)", x)
	}
}

func TestPortableLogSpecialCases(t *testing.T) {
	cases := []struct {
		name string
		x    float64
		want float64
	}{
		{"one", 1, 0},
		{"e", math.E, 1},
		{"two", 2, math.Ln2},
		{"zero", 0, math.Inf(-1)},
		{"+Inf", math.Inf(1), math.Inf(1)},
		{"largest", math.MaxFloat64, 709.782712893384},
		{"smallest subnormal", 5e-324, -744.4400719213812},
		{"subnormal", 4.8206773267e-314, -721.4388047577202}, // amd64's math.Log says -709.09
		{"just below one", 1 - 1.0/(1<<53), -1.0 / (1 << 53)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := portableLog(c.x)
			require.LessOrEqual(t, ulps(got, c.want), uint64(1), "log(%v) = %v, want %v", c.x, got, c.want)
		})
	}
	require.True(t, math.IsNaN(portableLog(-1)))
	require.True(t, math.IsNaN(portableLog(math.NaN())))
}

// TestPortableAgainstMath compares with the math package over the range
// that neither overflows nor underflows (up to 709: amd64's assembly
// returns +Inf from about 709.4 on), densely where activations live. Under
// WebAssembly math.Exp is the pure-Go algorithm that portableExp
// reproduces, so the two must be identical there. Natively math.Exp is
// assembly that strays up to 2 ulps from the correctly rounded value
// (exp(-20.456289949586008) is 1.30600895462774868e-09: portableExp gives
// the nearest double, amd64's math.Exp the one two above), so natively the
// bound is 2 ulps; TestPortableCorrectlyRounded holds portableExp to 1.
func TestPortableAgainstMath(t *testing.T) {
	exact := runtime.GOARCH == "wasm"
	rng := rand.New(rand.NewPCG(3, 4))
	ranges := []struct{ lo, hi float64 }{{-745, 709}, {-30, 30}, {-1, 1}, {-1e-6, 1e-6}}
	const perRange = 50000
	for _, fn := range []struct {
		name     string
		portable func(float64) float64
		math     func(float64) float64
	}{
		{"exp", portableExp, math.Exp},
		{"tanh", portableTanh, math.Tanh},
	} {
		differ := 0
		for _, r := range ranges {
			for range perRange {
				x := r.lo + rng.Float64()*(r.hi-r.lo)
				got, want := fn.portable(x), fn.math(x)
				d := ulps(got, want)
				if d > 2 || exact && d != 0 {
					t.Fatalf("%s(%v) = %v, math says %v (%d ulps)", fn.name, x, got, want, d)
				}
				if d != 0 {
					differ++
				}
			}
		}
		t.Logf("%s on %s: %d of %d differ from the math package's", fn.name, runtime.GOARCH, differ, perRange*len(ranges))
	}
	// Log over positive normal numbers, and near 1. (Natively amd64's
	// assembly is wrong on subnormals: math.Log(4.8206773267e-314) returns
	// -709.09, not -721.44; TestPortableLogSpecialCases covers them.)
	differ := 0
	for i := range 4 * perRange {
		x := math.Ldexp(1+rng.Float64(), rng.IntN(2044)-1022)
		if i%2 == 1 {
			x = 0.5 + rng.Float64()
		}
		got, want := portableLog(x), math.Log(x)
		d := ulps(got, want)
		if d > 1 || exact && d != 0 {
			t.Fatalf("log(%v) = %v, math says %v (%d ulps)", x, got, want, d)
		}
		if d != 0 {
			differ++
		}
	}
	t.Logf("log on %s: %d of %d differ from the math package's", runtime.GOARCH, differ, 4*perRange)
}

// bigExp returns e**y in 300-bit arithmetic (for y that neither overflows
// nor underflows in float64): the Taylor series of y/2^m, squared m times.
func bigExp(y *big.Float) *big.Float {
	const prec = 300
	m := 12
	yf, _ := y.Float64()
	if a := math.Abs(yf); a > 1 {
		m += int(math.Ceil(math.Log2(a)))
	}
	y = new(big.Float).SetPrec(prec).SetMantExp(y, -m)
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	for k := int64(1); k < 40; k++ {
		term.Mul(term, y)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(k))
		sum.Add(sum, term)
	}
	for range m {
		sum.Mul(sum, sum)
	}
	return sum
}

// roundedLog is log(x) correctly rounded: Halley's iteration
// y += 2(x - e^y)/(x + e^y) in 300 bits from math.Log's estimate.
func roundedLog(x float64) float64 {
	bx := new(big.Float).SetPrec(300).SetFloat64(x)
	y := new(big.Float).SetPrec(300).SetFloat64(math.Log(x))
	for range 3 {
		e := bigExp(y)
		num := new(big.Float).SetPrec(300).Sub(bx, e)
		den := new(big.Float).SetPrec(300).Add(bx, e)
		num.Quo(num, den)
		y.Add(y, num.Mul(num, big.NewFloat(2)))
	}
	f, _ := y.Float64()
	return f
}

// roundedExp is e**x correctly rounded to float64.
func roundedExp(x float64) float64 {
	f, _ := bigExp(big.NewFloat(x)).Float64()
	return f
}

// roundedTanh is tanh(x) = (e^2x - 1)/(e^2x + 1) correctly rounded.
func roundedTanh(x float64) float64 {
	e := bigExp(big.NewFloat(2 * x))
	one := new(big.Float).SetInt64(1)
	num := new(big.Float).SetPrec(e.Prec()).Sub(e, one)
	den := new(big.Float).SetPrec(e.Prec()).Add(e, one)
	f, _ := num.Quo(num, den).Float64()
	return f
}

// TestPortableCorrectlyRounded holds portableExp and portableLog to 1 ulp
// of the correctly rounded result over their whole ranges, as FreeBSD's
// algorithms promise, and
// portableTanh to 2 (Cephes's rational branch near 0 is 2 ulps off at
// times, e.g. tanh(0.11119042660916523)).
func TestPortableCorrectlyRounded(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n := 400
	if runtime.GOARCH == "wasm" {
		n = 60
	}
	for _, r := range []struct{ lo, hi float64 }{{-708, 709}, {-30, 30}, {-1, 1}, {-1e-3, 1e-3}} {
		for range n {
			x := r.lo + rng.Float64()*(r.hi-r.lo)
			want := roundedExp(x)
			require.LessOrEqual(t, ulps(portableExp(x), want), uint64(1), "exp(%v) = %v, correctly rounded %v", x, portableExp(x), want)
			if math.Abs(x) < 20 {
				want = roundedTanh(x)
				require.LessOrEqual(t, ulps(portableTanh(x), want), uint64(2), "tanh(%v) = %v, correctly rounded %v", x, portableTanh(x), want)
			}
		}
	}
	for range 4 * n {
		x := math.Ldexp(1+rng.Float64(), rng.IntN(2000)-1000)
		want := roundedLog(x)
		require.LessOrEqual(t, ulps(portableLog(x), want), uint64(1), "log(%v) = %v, correctly rounded %v", x, portableLog(x), want)
	}
	// The two cases quoted above, where amd64's math.Exp is 2 ulps off.
	require.Equal(t, 8.579595884591178e-151, portableExp(-345.54096222940825))
	require.Equal(t, 1.3060089546277486e-09, portableExp(-20.456289949586008))
}

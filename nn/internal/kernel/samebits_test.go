package kernel

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// SameBits compares bit patterns, not values: -0 is not 0, a NaN is itself.
func TestSameBits(t *testing.T) {
	nan, negZero := float32(math.NaN()), float32(math.Copysign(0, -1))
	tests := []struct {
		name string
		a, b []float32
		want bool
	}{
		{"both empty", nil, []float32{}, true},
		{"equal", []float32{1, 2.5, -3}, []float32{1, 2.5, -3}, true},
		{"last differs", []float32{1, 2.5, -3}, []float32{1, 2.5, 3}, false},
		{"0 and -0", []float32{0}, []float32{negZero}, false},
		{"a NaN and itself", []float32{nan, 1}, []float32{nan, 1}, true},
		{"lengths", []float32{1}, []float32{1, 1}, false},
		{"one low bit", []float32{1}, []float32{math.Float32frombits(math.Float32bits(1) ^ 1)}, false},
		{"odd length, last differs", []float32{1, 2, 3}, []float32{1, 2, 4}, false},
		{"even length, last differs", []float32{1, 2, 3, 4}, []float32{1, 2, 3, 5}, false},
		{"odd length, equal", []float32{1, 2, 3}, []float32{1, 2, 3}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, SameBits(tt.a, tt.b))
			if len(tt.a) > 1 && len(tt.a) == len(tt.b) { // misaligned views: one float at a time
				require.Equal(t, tt.want, SameBits(append([]float32{0}, tt.a...)[1:], tt.b))
				require.Equal(t, tt.want, SameBits(append([]float32{0}, tt.a...)[1:], append([]float32{0}, tt.b...)[1:]))
			}
		})
	}
}

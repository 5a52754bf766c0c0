package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCommandLine(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "convplay train"},
		{[]string{"-epochs", "10", "-min-delta", "1e-3", "-data=web/data/fashion"}, "convplay train -epochs 10 -min-delta 1e-3 -data=web/data/fashion"},
		{[]string{"-note", "a subset model, 10,000 images"}, "convplay train -note 'a subset model, 10,000 images'"},
		{[]string{"-note", "it's"}, `convplay train -note 'it'\''s'`},
		{[]string{"-plot", ""}, "convplay train -plot ''"},
		{[]string{"-csv", "$HOME/h.csv"}, "convplay train -csv '$HOME/h.csv'"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, commandLine("convplay train", tt.args))
	}
}

//go:build js && wasm

package main

import (
	"fmt"

	"convplay/nn"
)

// presetSpec returns a built-in model spec by name.
func presetSpec(name string) (nn.ModelSpec, error) {
	return nn.ModelSpec{}, fmt.Errorf("worker: unknown preset %q", name)
}

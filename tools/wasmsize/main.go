// Command wasmsize says what is in a WebAssembly build of a Go program:
// the code bytes of each Go package (summed over its functions, from the
// module's name section, so build without -ldflags=-s) and the data
// segments (read-only data, type and function tables), largest first.
// `go tool nm` does not read WebAssembly files; this does, for the
// engine's size budget (BENCHMARKS.md, issue 19):
//
//	GOOS=js GOARCH=wasm go build -trimpath -o /tmp/convplay.wasm ./wasm
//	go run ./tools/wasmsize -top 30 /tmp/convplay.wasm
//
// and the same for the formats module (./wasm/formats), which the page
// fetches only for Keras and .npz files. With -funcs it lists every defined
// function instead (index, code bytes, package, name; tab-separated), which
// TestBenchStartupTrace reads (CONVPLAY_WASM_FUNCS) to name the functions
// the engine compiles before the first prediction.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	top := flag.Int("top", 40, "packages to list")
	funcs := flag.Bool("funcs", false, "list every defined function: index, code bytes, package, name")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: wasmsize [-top n | -funcs] file.wasm")
		os.Exit(2)
	}
	b, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	s, err := Parse(b)
	if err == nil && len(s.Funcs) == 0 {
		err = errEmpty
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if *funcs {
		for _, f := range s.Funcs {
			fmt.Printf("%d\t%d\t%s\t%s\n", f.Index, f.Size, Package(f.Name), f.Name)
		}
		return
	}
	code := 0
	for _, f := range s.Funcs {
		code += f.Size
	}
	fmt.Printf("%s: %d bytes: code %d, data %d, other %d\n", flag.Arg(0), len(b), code, s.Data, len(b)-code-s.Data)
	for i, p := range s.ByPackage() {
		if i == *top {
			break
		}
		fmt.Printf("%9d  %5.1f%%  %s\n", p.Bytes, 100*float64(p.Bytes)/float64(code), p.Pkg)
	}
}

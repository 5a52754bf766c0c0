package nn

import (
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestImportsOnlyStandardLibrary keeps doc.go's promise: package nn imports
// the standard library and its own kernels (nn/internal/...) and nothing
// else: no third-party module, and none of unsafe, syscall/js or assembly,
// which live in package kernel. Checked for every build the engine has: the
// host, amd64 with and without assembly, arm64, and WebAssembly.
func TestImportsOnlyStandardLibrary(t *testing.T) {
	module := modulePath(t)
	for _, b := range []struct{ goos, goarch, tags string }{
		{"linux", "amd64", ""}, {"linux", "amd64", "noasm"}, {"linux", "arm64", ""},
		{"darwin", "arm64", ""}, {"windows", "amd64", ""}, {"js", "wasm", ""},
	} {
		t.Run(b.goos+"/"+b.goarch+"/"+b.tags, func(t *testing.T) {
			ctx := build.Default
			ctx.GOOS, ctx.GOARCH, ctx.CgoEnabled = b.goos, b.goarch, false
			if b.tags != "" {
				ctx.BuildTags = []string{b.tags}
			}
			p, err := ctx.ImportDir(".", 0)
			require.NoError(t, err)
			require.NotEmpty(t, p.GoFiles)
			require.Empty(t, p.SFiles, "assembly in package nn")
			for _, path := range p.Imports {
				switch first, _, _ := strings.Cut(path, "/"); {
				case strings.HasPrefix(path, module+"/nn/internal/"):
				case path == "unsafe" || path == "syscall/js" || path == "C":
					t.Errorf("nn imports %s: it belongs in package kernel", path)
				case first == module || strings.Contains(first, "."):
					t.Errorf("nn imports %s, not from the standard library", path)
				}
			}
		})
	}
}

// modulePath is the module's path, from go.mod above this package.
func modulePath(t *testing.T) string {
	mod, err := os.ReadFile(filepath.Join("..", "go.mod"))
	require.NoError(t, err)
	for line := range strings.Lines(string(mod)) {
		if path, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.TrimSpace(path)
		}
	}
	t.Fatal("go.mod names no module")
	return ""
}

package webserver

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parseShell reads the build out of ShellName's script.
func parseShell(t *testing.T, js []byte) ShellBuild {
	t.Helper()
	s := string(js)
	i, j := strings.Index(s, "self.CONVPLAY_BUILD = "), strings.LastIndex(s, ";")
	require.True(t, i >= 0 && j > i, "%s", s)
	var b ShellBuild
	require.NoError(t, json.Unmarshal([]byte(s[i+len("self.CONVPLAY_BUILD = "):j]), &b))
	return b
}

func TestShellListsWhatThePageLoads(t *testing.T) {
	fsys := fstest.MapFS{
		"index.html":                     {Data: []byte("<!doctype html>")},
		"app.js":                         {Data: []byte("export {};")},
		"views/draw/draw.js":             {Data: []byte("export {};")},
		"views/draw/draw.test.js":        {Data: []byte("test")},
		"convplay.wasm":                  {Data: []byte("\x00asm")},
		"convplay.wasm.br":               {Data: []byte("br")},
		"convplay-formats.wasm":          {Data: []byte("\x00asm")}, // fetched only on demand, kept for offline use
		"app.js.gz":                      {Data: []byte("gz")},
		"pretrained/small-fashion.cpw":   {Data: []byte("cpw")},
		"data/fashion/manifest.json":     {Data: []byte(`{"files":[]}`)},
		"data/fashion/test-00.u8.gz":     {Data: []byte("chunk")},
		"data/fashion/preview.png":       {Data: []byte("png")},
		"vendor/uPlot.esm.js":            {Data: []byte("export {};")},
		"vendor/tfjs/tf-core.min.js":     {Data: []byte("tfjs")},
		"bench.html":                     {Data: []byte("bench")},
		"bench-strings.js":               {Data: []byte("bench")},
		"idbfake.js":                     {Data: []byte("fake")},
		"sw.js":                          {Data: []byte("sw")},
		"swbuild.js":                     {Data: []byte("old")},
		".hidden/x.js":                   {Data: []byte("x")},
		"_headers":                       {Data: []byte("/*")},
		"README.md":                      {Data: []byte("#")},
		"data/fashion/old/manifest.json": {Data: []byte("{}")},
	}
	js, err := Shell(fsys)
	require.NoError(t, err)
	b := parseShell(t, js)
	var files []string
	for f, h := range b.Files {
		files = append(files, f)
		assert.Len(t, h, 16, f)
	}
	assert.ElementsMatch(t, []string{"index.html", "app.js", "views/draw/draw.js", "convplay.wasm", "convplay-formats.wasm",
		"pretrained/small-fashion.cpw", "data/fashion/manifest.json", "vendor/uPlot.esm.js"}, files)
	assert.Equal(t, "2e29cd9a98755c46", b.Files["app.js"], "sha256sum of \"export {};\": 2e29cd9a98755c46...")
	assert.EqualValues(t, len("<!doctype html>")+3*len("export {};")+2*len("\x00asm")+len("cpw")+len(`{"files":[]}`), b.Bytes)

	// Any change of content is a new build; the same content the same build.
	again, err := Shell(fsys)
	require.NoError(t, err)
	assert.Equal(t, b.ID, parseShell(t, again).ID)
	fsys["data/fashion/manifest.json"] = &fstest.MapFile{Data: []byte(`{"files":[{"name":"x"}]}`)}
	changed, err := Shell(fsys)
	require.NoError(t, err)
	assert.NotEqual(t, b.ID, parseShell(t, changed).ID, "a new manifest is a new build")
	fsys["data/fashion/test-00.u8.gz"] = &fstest.MapFile{Data: []byte("other chunk")}
	same, err := Shell(fsys)
	require.NoError(t, err)
	assert.Equal(t, parseShell(t, changed).ID, parseShell(t, same).ID, "the data files are versioned by their manifest, not the build")
}

// TestShellServed: convplay serve makes swbuild.js from the directory,
// anew when a file changes; a swbuild.js in the directory (make dist's) wins.
func TestShellServed(t *testing.T) {
	dir, h := site(t)
	w := get(h, "GET", "/swbuild.js", "")
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "text/javascript; charset=utf-8", w.Header().Get("Content-Type"))
	assert.Equal(t, "no-cache", w.Header().Get("Cache-Control"))
	b := parseShell(t, w.Body.Bytes())
	assert.Contains(t, b.Files, "app.js")
	assert.NotContains(t, b.Files, "link-out.txt", "nothing outside the directory")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "app.js"), []byte("export const a = 2;"), 0o644))
	b2 := parseShell(t, get(h, "GET", "/swbuild.js", "").Body.Bytes())
	assert.NotEqual(t, b.ID, b2.ID, "a changed file is a new build")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "swbuild.js"), []byte("self.CONVPLAY_BUILD = {};"), 0o644))
	assert.Equal(t, "self.CONVPLAY_BUILD = {};", get(h, "GET", "/swbuild.js", "").Body.String())
}

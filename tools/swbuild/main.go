// Command swbuild writes the app shell list the page's service worker
// imports (swbuild.js: the build id and the files to keep for offline use)
// into a folder the page is served from; make dist runs it on dist/.
//
//	go run ./tools/swbuild dist
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"convplay/internal/webserver"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: swbuild DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	js, err := webserver.Shell(os.DirFS(dir))
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, webserver.ShellName), js, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "swbuild:", err)
		os.Exit(1)
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"convplay/internal/webserver"
)

func init() {
	commands["serve"] = command{
		summary: "serve the playground page (web/) on http://127.0.0.1:8080",
		run:     runServe,
	}
}

func runServe(args []string) error {
	fs := newFlagSet("serve", "[-addr 127.0.0.1:8080] [-dir web]")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on; another host than 127.0.0.1 exposes the page to the network")
	dir := fs.String("dir", "web", "directory to serve")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	h, err := webserver.New(*dir)
	if err != nil {
		return err
	}
	defer h.Close()
	if _, err := os.Stat(filepath.Join(*dir, "convplay.wasm")); err != nil {
		fmt.Fprintf(os.Stderr, "convplay serve: warning: %s has no convplay.wasm: run make wasm first\n", *dir)
	}
	ln, err := webserver.Listen(*addr)
	if err != nil {
		return err
	}
	srv := webserver.NewServer(h)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		fmt.Fprintf(os.Stderr, "convplay serve: warning: -addr %s is not a loopback address: other machines can reach the page\n", *addr)
	}
	fmt.Printf("serving %s at http://%s/ (Ctrl-C stops)\n", *dir, ln.Addr())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

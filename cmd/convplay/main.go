// Command convplay is the command line of the convplay CNN playground: it
// serves the page, trains, evaluates, summarizes, predicts and exports models
// with the same engine the page runs in WebAssembly.
//
// Each subcommand lives in its own file and registers itself in init.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
)

// command is one subcommand: run gets the arguments after its name and
// returns an error to print (exit status 1), or errUsage (exit status 2).
type command struct {
	summary string
	run     func(args []string) error
}

var commands = map[string]command{}

// errUsage reports bad flags; the flag package has already printed why.
var errUsage = errors.New("usage")

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "-help" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage()
		if len(os.Args) < 2 {
			os.Exit(2)
		}
		return
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "convplay: unknown command %q\n\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if err := cmd.run(os.Args[2:]); err != nil {
		if errors.Is(err, errUsage) || errors.Is(err, flag.ErrHelp) {
			if errors.Is(err, flag.ErrHelp) {
				return
			}
			os.Exit(2)
		}
		fmt.Fprintf(os.Stderr, "convplay %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: convplay <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(os.Stderr, "\nRun 'convplay <command> -h' for a command's flags.")
}

// newFlagSet returns a flag set for a subcommand whose errors are returned,
// not fatal, so tests can run commands in process.
func newFlagSet(name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet("convplay "+name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: convplay %s %s\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

// Command ccscope is an oscilloscope for congestion control. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/ccscope/ccscope/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, &cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Args: os.Args}, os.Args[1:])
	stop()
	os.Exit(code)
}

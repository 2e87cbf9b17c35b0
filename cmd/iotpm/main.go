// Command iotpm is the toolkit for product managers of connected products:
// RICE with hardware costs, three-track roadmaps, battery budgets and fleet
// metrics over a planning repo. See README.md and docs/.
package main

import (
	"os"

	"github.com/iotpm/iotpm/internal/cmd/root"
	"github.com/iotpm/iotpm/internal/iostreams"
)

func main() {
	os.Exit(root.Main(os.Args[1:], iostreams.System(), os.Getenv))
}

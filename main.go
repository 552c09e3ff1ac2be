// Command stackui is a terminal UI for local Docker Compose stacks: it loads
// the compose files with their profiles, starts and stops services, streams
// logs, and explains why containers die.
//
// main only calls into the commands package, one file per subcommand; it
// stays at the module root so that `go install
// github.com/stackui/stackui@latest` builds it.
package main

import (
	"os"

	"github.com/stackui/stackui/commands"
)

// version is stamped by goreleaser (-X main.version=...).
var version = "dev"

func main() {
	os.Exit(commands.Main(os.Args[1:], version))
}

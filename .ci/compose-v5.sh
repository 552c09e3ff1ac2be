#!/usr/bin/env bash
# Builds docker compose v5 (the Go plugin) from source and installs it as the
# docker CLI plugin, so that `docker compose` works next to the standalone
# docker-compose v1 and the tests can run under both. There is no registry
# here, only the Go module proxy, so it is built rather than downloaded.
#
#   .ci/compose-v5.sh            install into /usr/local/lib/docker/cli-plugins
#   .ci/compose-v5.sh OUT        build into the file OUT instead
#
# A binary already at OUT that says it is the pinned version is kept: the
# build takes minutes, later runs on the same machine skip it.
set -euo pipefail
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"

version=v5.6.0
out="${1:-/usr/local/lib/docker/cli-plugins/docker-compose}"

if [ -x "$out" ] && [ "$("$out" version --short 2>/dev/null)" = "${version#v}" ]; then
	echo "docker compose $version already at $out"
	exit 0
fi

# `go install github.com/docker/compose/v5/cmd@$version` refuses: the module
# has exclude directives, which go install does not allow. A throwaway module
# that requires it builds the same package.
work=$(mktemp -d)
trap 'rm -rf "$work" "$out.tmp.$$"' EXIT
cat >"$work/go.mod" <<EOF
module composebuild

go 1.26.8

require github.com/docker/compose/v5 $version
EOF
cat >"$work/tools.go" <<'EOF'
//go:build tools

package composebuild

import _ "github.com/docker/compose/v5/cmd"
EOF

echo "building docker compose $version into $out (takes minutes)"
mkdir -p "$(dirname "$out")"
(
	cd "$work"
	go mod tidy
	# Build next to the target, then rename: a CLI that is running keeps its
	# file, and a failed build leaves no half-written plugin.
	CGO_ENABLED=0 go build -trimpath \
		-ldflags "-s -w -X github.com/docker/compose/v5/internal.Version=$version" \
		-o "$out.tmp.$$" github.com/docker/compose/v5/cmd
)
mv -f "$out.tmp.$$" "$out"
"$out" version

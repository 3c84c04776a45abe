#!/usr/bin/env bash
# Builds the real S3 server of the multipart-copy tests (packages/testkit/src/versitygw.ts) with the go
# command only: `go install <module>/cmd/versitygw@<version>` of the module pinned in
# packages/testkit/versitygw.pin (its go.mod has no replace directives, so install by version works).
# The result is cached outside the repository, keyed by module and version, so a second run takes a second:
#   ${REGGUARD_CACHE:-$HOME/.cache/regguard}/versitygw/<module with / as _>@<version>/
#     bin/versitygw   the binary
#     built.json      what was built, with which go, how long it took
# Prints what it built (or found) and how long it took. Safe to run again; a failed build leaves no
# half-filled cache entry (it is written to a temporary directory, then renamed).
set -euo pipefail
cd "$(dirname "$0")/.."

pin=packages/testkit/versitygw.pin
read_pin() { sed -n "s/^$1=//p" "$pin" | tail -n 1; }
MODULE=$(read_pin MODULE)
VERSION=$(read_pin VERSION)
if [ -z "$MODULE" ] || [ -z "$VERSION" ]; then echo "versitygw.sh: $pin must set MODULE and VERSION" >&2; exit 2; fi

cache_root=${REGGUARD_CACHE:-$HOME/.cache/regguard}
entry="$cache_root/versitygw/${MODULE//\//_}@$VERSION"
if [ -x "$entry/bin/versitygw" ] && [ -f "$entry/built.json" ]; then
  echo "versitygw.sh: $MODULE@$VERSION already built: $entry ($(jq -r '"built in \(.seconds) s with \(.go)"' "$entry/built.json"))"
  exit 0
fi

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then PATH="/usr/local/go/bin:$PATH"; fi
command -v go >/dev/null 2>&1 || { echo "versitygw.sh: the go command is not installed; it is needed to build $MODULE@$VERSION" >&2; exit 1; }
# Static, like the project's release binaries (its Makefile builds with CGO_ENABLED=0).
export GOFLAGS=-buildvcs=false CGO_ENABLED=0

started=$(date +%s)
echo "versitygw.sh: building $MODULE/cmd/versitygw@$VERSION ($(go version | cut -d' ' -f3)) into $entry"
mkdir -p "$cache_root/versitygw"
tmp=$(mktemp -d "$cache_root/versitygw/.build-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
GOBIN="$tmp/bin" go install -trimpath -ldflags "-s -w" "$MODULE/cmd/versitygw@$VERSION"
seconds=$(( $(date +%s) - started ))
jq -n --arg mod "$MODULE" --arg version "$VERSION" --arg go "$(go version | cut -d' ' -f3)" --argjson seconds "$seconds" --arg at "$(date -u +%FT%TZ)" \
  '{module: $mod, command: "cmd/versitygw", version: $version, go: $go, seconds: $seconds, builtAt: $at}' >"$tmp/built.json"
rm -rf "$entry"
mv "$tmp" "$entry"
trap - EXIT
echo "versitygw.sh: built versitygw $VERSION in ${seconds} s: $entry/bin/versitygw ($(du -h "$entry/bin/versitygw" | cut -f1))"

#!/usr/bin/env bash
# Builds the real Forgejo-family server the tests run (packages/testkit/src/forgejo.ts) with the
# go command only: `go mod download` of the module pinned in packages/testkit/forgejo.pin, then
# `go build` inside that module directory, because its go.mod has `replace` directives and
# `go install module@version` refuses those. The result is cached outside the repository,
# keyed by module and version, so a second run takes a second:
#   ${REGGUARD_CACHE:-$HOME/.cache/regguard}/forgejo/<module with / as _>@<version>/
#     bin/server     the binary
#     templates/     read at run time (built without the bindata tag)
#     options/       locale, licenses, gitignores: read at run time too
#     built.json     what was built, with which go, how long it took
# Prints what it built (or found) and how long it took. Safe to run again; a failed build
# leaves no half-filled cache entry (it is written to a temporary directory, then renamed).
set -euo pipefail
cd "$(dirname "$0")/.."

pin=packages/testkit/forgejo.pin
read_pin() { sed -n "s/^$1=//p" "$pin" | tail -n 1; }
FLAVOUR=$(read_pin FLAVOUR)
MODULE=$(read_pin MODULE)
VERSION=$(read_pin VERSION)
BUILD_TAGS=$(read_pin BUILD_TAGS)
CGO=$(read_pin CGO_ENABLED)
if [ -z "$MODULE" ] || [ -z "$VERSION" ]; then echo "forgejo.sh: $pin must set MODULE and VERSION" >&2; exit 2; fi

cache_root=${REGGUARD_CACHE:-$HOME/.cache/regguard}
entry="$cache_root/forgejo/${MODULE//\//_}@$VERSION"
if [ -x "$entry/bin/server" ] && [ -f "$entry/built.json" ]; then
  echo "forgejo.sh: $FLAVOUR $MODULE@$VERSION already built: $entry ($(jq -r '"built in \(.seconds) s with \(.go)"' "$entry/built.json"))"
  exit 0
fi

# The go kind of machine has Go at /usr/local/go; a shell without it on PATH still finds it.
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then PATH="/usr/local/go/bin:$PATH"; fi
command -v go >/dev/null 2>&1 || { echo "forgejo.sh: the go command is not installed; it is needed to build $MODULE@$VERSION" >&2; exit 1; }
export GOFLAGS=-buildvcs=false CGO_ENABLED="${CGO:-0}"

started=$(date +%s)
echo "forgejo.sh: building $FLAVOUR $MODULE@$VERSION ($(go version | cut -d' ' -f3), CGO_ENABLED=$CGO_ENABLED, tags '${BUILD_TAGS}') into $entry"
download=$(go mod download -json "$MODULE@$VERSION") || true
moddir=$(jq -r '.Dir // empty' <<<"$download")
if [ -z "$moddir" ]; then
  echo "forgejo.sh: go mod download $MODULE@$VERSION failed: $(jq -r '.Error // "no answer"' <<<"$download" 2>/dev/null || echo "$download")" >&2
  exit 1
fi

mkdir -p "$cache_root/forgejo"
tmp=$(mktemp -d "$cache_root/forgejo/.build-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
# main.Version is what the Makefile sets; without it the server calls itself "development".
(cd "$moddir" && go build -trimpath -tags "$BUILD_TAGS" -ldflags "-s -w -X main.Version=${VERSION#v}" -o "$tmp/bin/server" .)
cp -R "$moddir/templates" "$moddir/options" "$tmp/"
chmod -R u+w "$tmp"
seconds=$(( $(date +%s) - started ))
jq -n --arg flavour "$FLAVOUR" --arg mod "$MODULE" --arg version "$VERSION" --arg go "$(go version | cut -d' ' -f3)" \
  --arg tags "$BUILD_TAGS" --argjson seconds "$seconds" --arg at "$(date -u +%FT%TZ)" \
  '{flavour: $flavour, module: $mod, version: $version, go: $go, tags: $tags, seconds: $seconds, builtAt: $at}' >"$tmp/built.json"
rm -rf "$entry"
mv "$tmp" "$entry"
trap - EXIT
echo "forgejo.sh: built $FLAVOUR $MODULE@$VERSION in ${seconds} s: $entry/bin/server ($(du -h "$entry/bin/server" | cut -f1))"

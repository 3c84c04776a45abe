#!/usr/bin/env bash
# Builds the real kube-apiserver the tests run (packages/testkit/src/kube-apiserver.ts) with the go
# command only: `go build` of the one command k8s.io/kubernetes/cmd/kube-apiserver inside our wrapper
# module packages/testkit/kube-apiserver/go.mod (why a wrapper: its header). The release is the
# wrapper's requirement of k8s.io/kubernetes; the go.sum beside it pins every module's hash.
# The result is cached outside the repository, keyed by that version, so a second run takes a second:
#   ${REGGUARD_CACHE:-$HOME/.cache/regguard}/kube-apiserver/k8s.io_kubernetes@<version>/
#     bin/kube-apiserver   the binary
#     built.json           what was built, with which go, how long it took
# Prints what it built (or found) and how long it took. Safe to run again; a failed build leaves no
# half-filled cache entry (it is written to a temporary directory, then renamed).
set -euo pipefail
cd "$(dirname "$0")/.."

wrapper=packages/testkit/kube-apiserver
VERSION=$(sed -n 's/^[[:space:]]*k8s.io\/kubernetes \(v[0-9][^ ]*\).*$/\1/p' "$wrapper/go.mod" | head -n 1)
if [ -z "$VERSION" ]; then echo "kube-apiserver.sh: $wrapper/go.mod must require k8s.io/kubernetes vX.Y.Z" >&2; exit 2; fi

cache_root=${REGGUARD_CACHE:-$HOME/.cache/regguard}
entry="$cache_root/kube-apiserver/k8s.io_kubernetes@$VERSION"
if [ -x "$entry/bin/kube-apiserver" ] && [ -f "$entry/built.json" ]; then
  echo "kube-apiserver.sh: kube-apiserver $VERSION already built: $entry ($(jq -r '"built in \(.seconds) s with \(.go)"' "$entry/built.json"))"
  exit 0
fi

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then PATH="/usr/local/go/bin:$PATH"; fi
command -v go >/dev/null 2>&1 || { echo "kube-apiserver.sh: the go command is not installed; it is needed to build kube-apiserver $VERSION" >&2; exit 1; }
# Static, like the release binaries (hack/lib/golang.sh builds the server commands with CGO off).
export GOFLAGS=-buildvcs=false CGO_ENABLED=0

started=$(date +%s)
echo "kube-apiserver.sh: building k8s.io/kubernetes/cmd/kube-apiserver $VERSION ($(go version | cut -d' ' -f3)) into $entry"
mkdir -p "$cache_root/kube-apiserver"
tmp=$(mktemp -d "$cache_root/kube-apiserver/.build-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
# The version the server reports (/version, kubectl's skew warning) is what the release Makefile
# stamps through hack/lib/version.sh; without it the server calls itself v0.0.0-master.
pkg=k8s.io/component-base/version
ldflags="-s -w -X $pkg.gitVersion=$VERSION -X $pkg.gitMajor=$(cut -d. -f1 <<<"${VERSION#v}") -X $pkg.gitMinor=$(cut -d. -f2 <<<"$VERSION") -X $pkg.gitTreeState=clean"
(cd "$wrapper" && go build -trimpath -ldflags "$ldflags" -o "$tmp/bin/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver)
seconds=$(( $(date +%s) - started ))
jq -n --arg version "$VERSION" --arg go "$(go version | cut -d' ' -f3)" --argjson seconds "$seconds" --arg at "$(date -u +%FT%TZ)" \
  '{module: "k8s.io/kubernetes", command: "cmd/kube-apiserver", version: $version, go: $go, seconds: $seconds, builtAt: $at}' >"$tmp/built.json"
rm -rf "$entry"
mv "$tmp" "$entry"
trap - EXIT
echo "kube-apiserver.sh: built kube-apiserver $VERSION in ${seconds} s: $entry/bin/kube-apiserver ($(du -h "$entry/bin/kube-apiserver" | cut -f1))"

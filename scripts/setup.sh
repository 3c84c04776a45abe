#!/usr/bin/env bash
# Installs everything the tests and the demo need on a fresh Debian 12 machine:
# the real servers the suites start (registry:2, Pushgateway, promtool,
# containerd, dockerd, skopeo, shellcheck; jq for the runbook commands the
# docs tests run; sqlite3 to date package rows of the real Forgejo-family server),
# pnpm, the workspace's dependencies from the frozen lockfile, and that server
# itself, built with the go command (scripts/forgejo.sh; cached, so a second run
# takes a second), and kube-apiserver the same way (scripts/kube-apiserver.sh), run
# on Debian's etcd; kubectl applies the manifests to it with --dry-run=server.
# versitygw, a real S3 server with multipart copy, is built the same way (scripts/versitygw.sh).
# Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.18.3
APT_PACKAGES=(docker-registry prometheus-pushgateway prometheus containerd docker.io skopeo shellcheck jq sqlite3 apache2-utils ca-certificates git etcd-server kubectl)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  npm install -g "pnpm@$PNPM_VERSION"
fi

export TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile

# The real Forgejo-family server of the contract suite and the replays (see packages/testkit/forgejo.pin).
./scripts/forgejo.sh
# The real Kubernetes API server of the IN_USE, cutover and manifest tests (packages/testkit/kube-apiserver/go.mod).
./scripts/kube-apiserver.sh
# The real S3 server of the multipart-copy tests, which s3rver cannot serve (packages/testkit/versitygw.pin).
./scripts/versitygw.sh

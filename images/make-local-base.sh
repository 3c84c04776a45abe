#!/usr/bin/env bash
# Builds a minimal local base image (node + its shared libraries + CA
# certificates + a non-root user) from this machine's Node runtime, for
# machines that cannot pull node:20-bookworm-slim (CI here has no registry
# access). Usage: images/make-local-base.sh [TAG] [DOCKER_HOST_SOCKET]
set -euo pipefail
tag=${1:-regguard/node-base:local}
docker_cmd=(docker)
[ -n "${2:-}" ] && docker_cmd=(docker -H "unix://$2")

node_bin=$(command -v node) || { echo "make-local-base: node not found on PATH" >&2; exit 1; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/usr/local/bin" "$root/etc/ssl/certs" "$root/tmp" "$root/app" "$root/home/node"
chmod 1777 "$root/tmp"
cp "$node_bin" "$root/usr/local/bin/node"
# Every shared library node links against, at the same paths.
ldd "$node_bin" | awk '/=>/ {print $3} /^[[:space:]]*\/lib/ {print $1}' | while read -r lib; do
  [ -f "$lib" ] || continue
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
fi
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnode:x:1000:1000:node:/home/node:/usr/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\n' > "$root/etc/group"
chown 1000:1000 "$root/home/node"

tar -C "$root" -c . | "${docker_cmd[@]}" import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin NODE_ENV=production' \
  --change 'USER 1000:1000' \
  --change 'WORKDIR /app' \
  - "$tag" >/dev/null
echo "$tag"

#!/usr/bin/env bash
# Points this node's containerd at Forgejo's registry through the in-cluster
# Traefik load balancer, the same way manifests/containerd/cloud-init.yaml does
# for new nodes (the approach is explained in
# manifests/containerd/forgejo.viktorbarzin.me/hosts.toml):
#   1. /etc/containerd/certs.d/forgejo.viktorbarzin.me/hosts.toml
#   2. "10.0.20.200 forgejo.viktorbarzin.me" in /etc/hosts, marked as ours
# Safe to run again: a second run changes nothing. Every file it changes is
# copied to <file>.regguard-backup-<UTC time> first. containerd needs no restart.
#
# Usage: setup-forgejo-containerd-mirror.sh [--dry-run] [--root DIR]
#   --dry-run   print what would change, write nothing
#   --root DIR  treat DIR as / (tests, or a mounted node image)
# Exit codes: 0 done (changed or not), 2 bad arguments,
#             3 node not in the expected state (nothing was changed).
set -euo pipefail

readonly REGISTRY_HOST="forgejo.viktorbarzin.me"
readonly LB_IP="10.0.20.200"
readonly MARKER="# regguard: Forgejo registry via in-cluster Traefik LB"
readonly CERTS_DIR="/etc/containerd/certs.d"
readonly PROG="setup-forgejo-containerd-mirror"

root=""
dry_run=0

usage() {
  sed -n '/^# Usage:/,/^set -euo/{/^set -euo/d; s/^# \{0,1\}//; p;}' "$0"
}

die() { # code message...
  local code=$1
  shift
  echo "$PROG: $*" >&2
  exit "$code"
}

while [ "$#" -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --root)
      [ "$#" -ge 2 ] || die 2 "--root needs a directory"
      root=$2
      shift
      ;;
    --root=*) root=${1#--root=} ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die 2 "unknown argument: $1 (try --help)" ;;
  esac
  shift
done

if [ -n "$root" ]; then
  [ -d "$root" ] || die 2 "--root $root is not a directory"
  root=${root%/}
fi

config_toml="$root/etc/containerd/config.toml"
hosts_dir="$root$CERTS_DIR/$REGISTRY_HOST"
hosts_toml="$hosts_dir/hosts.toml"
etc_hosts="$root/etc/hosts"
hosts_line="$LB_IP $REGISTRY_HOST $MARKER"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
changes=0

# Without config_path, containerd never reads certs.d and the file written
# below would do nothing while looking like it worked.
[ -f "$config_toml" ] || die 3 "$config_toml not found: is containerd installed here? Nothing changed."
if ! grep -Eq "^[[:space:]]*config_path[[:space:]]*=[[:space:]]*\"$CERTS_DIR/?\"[[:space:]]*$" "$config_toml"; then
  found=$(grep -E '^[[:space:]]*config_path[[:space:]]*=' "$config_toml" | head -n 1 || true)
  die 3 "$config_toml does not set config_path = \"$CERTS_DIR\" for the CRI registry${found:+ (found: ${found#"${found%%[![:space:]]*}"})}. Set it under [plugins.\"io.containerd.grpc.v1.cri\".registry], restart containerd, then run this again. Nothing changed."
fi

# An entry for the name that we did not write is someone's decision: stop.
if [ -f "$etc_hosts" ]; then
  foreign=$(awk -v host="$REGISTRY_HOST" -v mark="$MARKER" '
    index($0, mark) == 0 { sub(/#.*/, ""); for (i = 2; i <= NF; i++) if ($i == host) { print; next } }
  ' "$etc_hosts")
  if [ -n "$foreign" ]; then
    die 3 "$etc_hosts already maps $REGISTRY_HOST in a line this script did not write: \"$foreign\". Remove it (or add the marker \"$MARKER\") and run again. Nothing changed."
  fi
fi

say() { echo "$PROG: $*"; }

backup() { # file
  local copy="$1.regguard-backup-$stamp" n=1
  # Never overwrite an earlier backup, even within the same second.
  while [ -e "$copy" ]; do
    copy="$1.regguard-backup-$stamp.$n"
    n=$((n + 1))
  done
  cp -p -- "$1" "$copy"
  say "  backed up $1 to $copy"
}

# Replace a file atomically, keeping the old file's mode and owner.
replace_file() { # target content default-mode
  local target=$1 content=$2 mode=$3 tmp
  tmp=$(mktemp "$(dirname "$target")/.$(basename "$target").XXXXXX")
  printf '%s' "$content" >"$tmp"
  if [ -e "$target" ]; then
    chmod --reference="$target" "$tmp"
    chown --reference="$target" "$tmp" 2>/dev/null || true
  else
    chmod "$mode" "$tmp"
  fi
  mv -f -- "$tmp" "$target"
}

hosts_toml_content=$(cat <<'HOSTS_TOML'
# /etc/containerd/certs.d/forgejo.viktorbarzin.me/hosts.toml
# Installed by scripts/setup-forgejo-containerd-mirror.sh (existing nodes) and
# cloud-init.yaml (new nodes). containerd reads it on every pull; no restart.
#
# Node pulls reach the in-cluster Traefik load balancer (10.0.20.200) by name,
# not through a mirror entry. A [host."https://10.0.20.200"] mirror makes
# containerd connect with the bare IP: no TLS server name and Host: 10.0.20.200,
# so Traefik matched no router and answered 404. hosts.toml cannot set SNI or
# Host for a mirror (a [header] Host entry is not used as the Host). And
# Forgejo's Bearer realm is the absolute https://forgejo.viktorbarzin.me/v2/token,
# which containerd fetches by name, so tokens hairpinned through the WAN anyway.
#
# So the node resolves the name to the load balancer instead; the setup adds
#   10.0.20.200 forgejo.viktorbarzin.me
# to /etc/hosts. Registry and realm requests then reach 10.0.20.200 with SNI and
# Host forgejo.viktorbarzin.me and the certificate is verified normally. Pods
# are unaffected (they resolve through cluster DNS).
#
# This file pins what nodes may do with the registry: pull and resolve, never
# push. The [host] table is required: containerd 1.6 refuses a hosts.toml
# without one ("invalid `host` tree") and silently falls back to defaults.
server = "https://forgejo.viktorbarzin.me"
capabilities = ["pull", "resolve"]

[host."https://forgejo.viktorbarzin.me"]
  capabilities = ["pull", "resolve"]
HOSTS_TOML
)
hosts_toml_content+=$'\n'

# 1. hosts.toml
if [ -f "$hosts_toml" ] && printf '%s' "$hosts_toml_content" | cmp -s - "$hosts_toml"; then
  say "$hosts_toml: up to date"
elif [ "$dry_run" -eq 1 ]; then
  say "would write $hosts_toml"
  changes=$((changes + 1))
else
  mkdir -p -- "$hosts_dir"
  [ -f "$hosts_toml" ] && backup "$hosts_toml"
  replace_file "$hosts_toml" "$hosts_toml_content" 0644
  say "wrote $hosts_toml"
  changes=$((changes + 1))
fi

# 2. /etc/hosts: exactly one marked line, the current one.
current=""
[ -f "$etc_hosts" ] && current=$(cat "$etc_hosts")
if [ "$(grep -cF "$MARKER" <<<"$current" || true)" -eq 1 ] && grep -qxF "$hosts_line" <<<"$current"; then
  say "$etc_hosts: up to date"
elif [ "$dry_run" -eq 1 ]; then
  say "would set \"$hosts_line\" in $etc_hosts"
  changes=$((changes + 1))
else
  kept=$(grep -vF "$MARKER" <<<"$current" || true)
  new_content="${kept:+$kept$'\n'}$hosts_line"$'\n'
  [ -f "$etc_hosts" ] && backup "$etc_hosts"
  replace_file "$etc_hosts" "$new_content" 0644
  say "set \"$hosts_line\" in $etc_hosts"
  changes=$((changes + 1))
fi

if [ "$changes" -eq 0 ]; then
  say "nothing to change"
elif [ "$dry_run" -eq 1 ]; then
  say "dry run: $changes change(s) pending, nothing written"
else
  say "$changes change(s) made; containerd picks them up on the next pull (no restart)."
  say "check: getent hosts $REGISTRY_HOST   (expect $LB_IP)"
fi

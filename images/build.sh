#!/usr/bin/env bash
# Builds one job's image: `pnpm deploy --prod` gives a context with dist/ and
# production node_modules only; images/job.Dockerfile turns it into an image.
# Usage: images/build.sh <job> [tag]
#   BASE_IMAGE   base image (default: images/job.Dockerfile's node:20-bookworm-slim)
#   DOCKER_HOST  daemon to build with (e.g. unix:///tmp/x/docker.sock)
set -euo pipefail
cd "$(dirname "$0")/.."
job=${1:?usage: images/build.sh <integrity-probe|retention|breakglass|sync> [tag]}
case "$job" in integrity-probe|retention|breakglass|sync) ;; *) echo "unknown job: $job" >&2; exit 2 ;; esac
version=$(node -p "require('./jobs/$job/package.json').version")
tag=${2:-regguard-$job:$version}
revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
[ -f "jobs/$job/dist/main.js" ] || pnpm --filter "@regguard/$job..." build >/dev/null
pnpm --filter "@regguard/$job" deploy --prod --legacy "$context/app" >/dev/null
# @kubernetes/client-node 1.x lists type packages (@types/node, @types/js-yaml, ...) as runtime
# dependencies; they hold .d.ts files only and nothing requires them at run time. Dropped from the
# context so no image carries a development package (images/test/images.test.ts); the --help and
# preload steps of the build then prove nothing needed them.
find "$context/app/node_modules" -depth \( -name '@types+*' -o \( -name '@types' -path '*/node_modules/@types' \) \) -exec rm -rf {} +
# deploy copies the package's published files only (see "files"): dist + package.json.
# One Dockerfile for every job (images/job.Dockerfile); what differs is the job's package.json.
description=$(node -p "require('./jobs/$job/package.json').description")
node_options=$(node -p "require('./jobs/$job/package.json').regguard?.image?.nodeOptions ?? ''")
build_args=(--build-arg "JOB=$job" --build-arg "DESCRIPTION=$description" --build-arg "NODE_OPTIONS=$node_options" --build-arg "VERSION=$version" --build-arg "REVISION=$revision")
[ -n "${BASE_IMAGE:-}" ] && build_args+=(--build-arg "BASE_IMAGE=$BASE_IMAGE")
docker build --quiet --network host -f images/job.Dockerfile -t "$tag" "${build_args[@]}" "$context/app" >/dev/null
echo "$tag"

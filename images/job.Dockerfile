# Every job's image, one file: images/build.sh <job> builds it from a context made by
#   pnpm --filter @regguard/<job> deploy --prod --legacy <context>
# so the context holds dist/, package.json and production node_modules only (workspace packages
# copied in, no dev dependencies): nothing is installed here or at run time. The shell jobs'
# `apk add curl jq` at every start lost runs to DNS blips at cron ticks (docs/design.md, P1).
# What differs per job comes from the job's package.json ("regguard.image"), passed in by build.sh.
ARG BASE_IMAGE=node:20-bookworm-slim

FROM ${BASE_IMAGE} AS bundle
WORKDIR /app
COPY package.json ./
COPY node_modules ./node_modules
COPY dist ./dist
# Fail the build, not the first scheduled run, if a production dependency is missing: --help
# loads every module the job uses at start, and "preload" lists those it imports only on demand
# (breakglass's S3 SDK, for s3:// destinations).
RUN ["node", "/app/dist/main.js", "--help"]
RUN ["node", "-e", "const p = require('/app/package.json').regguard?.image?.preload ?? []; Promise.all(p.map((m) => import('/app/' + m))).catch((e) => { console.error(e); process.exit(1); })"]

FROM ${BASE_IMAGE}
ARG JOB
ARG DESCRIPTION=""
ARG VERSION=0.0.0
ARG REVISION=unknown
# V8 flags per job ("regguard.image.nodeOptions"): the probe and sync run with 4 MiB semi-spaces,
# which keep garbage from lifting peak RSS for the same CPU (the probe's live heap is ~15 MiB, but
# 16 MiB semi-spaces let a 2,000-tag walk peak at 130-145 MiB instead of 105-120; pnpm bench:probe
# runs the probe with the value build.sh passes here, read from the same package.json). Breakglass
# runs with 1 MiB semi-spaces: a save churns through 64 KiB socket buffers whose memory is only
# returned when a scavenge frees their wrappers, so smaller semi-spaces keep peak RSS down (and
# pnpm bench:breakglass measures the save with the same value).
ARG NODE_OPTIONS=""
LABEL org.opencontainers.image.title="regguard-${JOB}" \
      org.opencontainers.image.description="${DESCRIPTION}" \
      org.opencontainers.image.source="https://forgejo.viktorbarzin.me/viktor/regguard" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT"
ENV NODE_ENV=production NODE_OPTIONS="${NODE_OPTIONS}"
WORKDIR /app
COPY --from=bundle /app /app
# uid 1000 is "node" in node:20-bookworm-slim and in images/make-local-base.sh. No job writes
# outside the /tmp the CronJobs mount, so a read-only root filesystem works.
USER 1000:1000
ENTRYPOINT ["node", "/app/dist/main.js"]

# syntax=docker/dockerfile:1
# Argus service image: the compiled service (dist/) on production dependencies only, run by plain
# Node (no TypeScript, no tsx) as the unprivileged `node` user.
#   docker build -t argus .
#   docker run -p 3978:3978 --env-file argus.env -v $PWD/argus.config.yaml:/app/argus.config.yaml:ro argus
# (/app/argus.config.yaml is read when present; ARGUS_CONFIG may point elsewhere.)
# NODE_ENV=production makes Argus refuse dev mode (no MICROSOFT_APP_ID), embedded storage and
# missing webhook secrets: give it the environment described in docs/deploy.md.

ARG NODE_IMAGE=node:20-bookworm-slim

# Build: every dependency (TypeScript is a dev dependency), exactly from the lock file, then
# src/ compiled into dist/. Dependencies first, so a source change reuses the installed layer.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# Run-time dependencies, exactly from the lock file, without dev dependencies. No install scripts:
# `prepare` would build, which the stage above has done.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3978 \
    HOST=0.0.0.0 \
    ARGUS_DATA_DIR=/data
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
# What the service reads at run time besides dist/: the `argus` entry, card templates, playbooks,
# detection rules, the Teams manifest and package.json (argus package).
COPY package.json ./
COPY bin ./bin
COPY cards ./cards
COPY playbooks ./playbooks
COPY detections ./detections
COPY plans ./plans
COPY queries ./queries
COPY manifest ./manifest
# The code stays owned by root and read-only to the service; only /data (embedded storage for
# non-production runs) is writable.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3978
# A heap cap keeps V8 from letting garbage pile up to gigabytes under load (live data is ~60 MB);
# override with NODE_OPTIONS at run time if a deployment needs more.
ENV NODE_OPTIONS="--max-old-space-size=512"
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3978) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "bin/argus.js", "serve"]

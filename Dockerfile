# syntax=docker/dockerfile:1
# Argus service image: production dependencies only, runs as the unprivileged `node` user.
#   docker build -t argus .
#   docker run -p 3978:3978 --env-file argus.env -v $PWD/argus.config.yaml:/app/argus.config.yaml:ro argus
# (/app/argus.config.yaml is read when present; ARGUS_CONFIG may point elsewhere.)
# NODE_ENV=production makes Argus refuse dev mode (no MICROSOFT_APP_ID), embedded storage and
# missing webhook secrets: give it the environment described in docs/deploy.md.

ARG NODE_IMAGE=node:20-bookworm-slim

# Dependencies, installed exactly from the lock file, without dev dependencies.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3978 \
    HOST=0.0.0.0 \
    ARGUS_DATA_DIR=/data
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
# What the service reads at run time: sources (run by tsx), card templates, playbooks, detection
# rules, the Teams manifest (argus package), and package.json / tsconfig.json for the loader.
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY cards ./cards
COPY playbooks ./playbooks
COPY detections ./detections
COPY manifest ./manifest
# The code stays owned by root and read-only to the service; only /data (embedded storage for
# non-production runs) is writable.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3978) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "bin/argus.js", "serve"]

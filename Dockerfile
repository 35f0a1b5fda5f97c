# The service's image: the compiled code and its production dependencies on Node.js, run as a
# user without privileges. One image plays every role (TDS_ROLES); see docs/deploy.md.
#
#   docker build -t task-deploy-service .                                   # Node from a registry
#   bash scripts/node-image.sh && \
#     docker build --build-arg NODE_IMAGE=tds-node:24 -t task-deploy-service .   # offline
#
# NODE_IMAGE is any Debian-based image with Node.js 24 and npm: the official node image, or one
# scripts/node-image.sh makes from the base image and the Node.js 24 that `npm ci` installs
# (package-lock.json pins it). Pin the official one by digest where a registry answers
# (node:24-bookworm-slim@sha256:...); none answers on the machines this was written on.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY services services
COPY migrations migrations
COPY dashboard dashboard
# The dashboard's definition editor reads definitions with the CLI's own pure modules.
COPY cli/definitions cli/definitions
# The dashboard is typed by the API's generated types (type-only imports, which Vite erases).
COPY api-types api-types
COPY scripts/check-dashboard-size.ts scripts/
# The image's own Node.js runs the service: the one package-lock.json pins for `npm ci` (an optional
# dependency, ~120 MB) is left out.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund --ignore-scripts && \
    rm -rf node_modules/node-linux-* node_modules/.bin/node

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    HOST=0.0.0.0 \
    PORT=8080 \
    TDS_DATA_DIR=/var/lib/tds
WORKDIR /app
COPY --from=build /build/package.json ./
COPY --from=build /build/node_modules node_modules
COPY --from=build /build/dist dist
COPY --from=build /build/dashboard/dist dashboard/dist
# The data folder (runs' working folders; the embedded servers when no database or S3 is set) is
# the only place the service writes; mount a volume there to keep it.
RUN groupadd --gid 10001 tds && \
    useradd --uid 10001 --gid 10001 --home-dir /var/lib/tds --create-home --shell /usr/sbin/nologin tds
USER tds
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "dist/src/healthcheck.js"]
# `docker run … task-deploy-service migrate` applies the database's migrations and exits: the
# deploy step before a new version starts (docs/database.md#upgrades).
ENTRYPOINT ["node", "--max-semi-space-size=1", "dist/src/main.js"]

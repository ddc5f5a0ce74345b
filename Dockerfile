# syntax=docker/dockerfile:1
# One recipe for Overcommit's images, built by docker-compose.yml:
#   --target api   the API and the tick worker (ROLE=api, worker or all chooses)
#   --target web   the dashboard (Next.js)
# Both: production dependencies only, the non-root user `node`, a HEALTHCHECK.
ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------- dependencies
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/api/package.json apps/api/
COPY apps/cli/package.json apps/cli/
COPY apps/web/package.json apps/web/
COPY libs/contracts/package.json libs/contracts/
COPY libs/scenario-files/package.json libs/scenario-files/
COPY libs/sim/package.json libs/sim/
COPY tools/workspace/package.json tools/workspace/
RUN npm ci --no-audit --no-fund

# ---------------------------------------------------------------- build
FROM deps AS build
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false NEXT_TELEMETRY_DISABLED=1
COPY . .
RUN npx nx run-many -t build -p contracts sim scenario-files api web --outputStyle=static \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf apps/web/.next/cache

# ---------------------------------------------------------------- common runtime
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
WORKDIR /app
# Workspace packages are symlinks in node_modules to libs/*, some with node_modules of their own:
# the libraries come whole (package.json, dist, nested dependencies; their sources are small).
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/libs libs

# ---------------------------------------------------------------- api (and worker)
FROM runtime AS api
COPY --from=build /app/apps/api apps/api
COPY --from=build /app/scenarios scenarios
USER node
EXPOSE 3001
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.API_PORT||3001)+'/api/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "apps/api/dist/main.js"]

# ---------------------------------------------------------------- web
FROM runtime AS web
COPY --from=build /app/apps/web/package.json /app/apps/web/next.config.mjs apps/web/
COPY --from=build --chown=node:node /app/apps/web/.next apps/web/.next
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.WEB_PORT||3000)+'/').then(r=>process.exit(r.status<500?0:1),()=>process.exit(1))"]
CMD ["node", "node_modules/next/dist/bin/next", "start", "apps/web", "--port", "3000"]

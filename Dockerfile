# workspace-auth: one stateless server process per container. Build: docker build -t workspace-auth .
# Configuration is the environment (see .env.example); the server applies pending migrations at start.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY . .
# npm ci runs the project's postinstall: generate both Prisma clients, then compile to dist/.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_URL=file:/data/app.db
WORKDIR /app
# The code stays owned by root (read-only for the server); only /data, for the SQLite default, is writable.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/views ./views
COPY --from=build /app/public ./public
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself is PID 1 (exec form, no shell, no npm): `docker stop` sends it SIGTERM, and it finishes the requests
# in flight and exits 0 within SHUTDOWN_GRACE_MS (10 s). Give it longer than that: `docker stop -t 15`, or
# compose's stop_grace_period (compose.yaml sets 15s); Docker's own default of 10 s would SIGKILL at the same moment.
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]

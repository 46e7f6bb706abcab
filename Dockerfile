# syntax=docker/dockerfile:1
# b24-robots: receiver, worker and scheduler in one process (ROLE splits them).
#   docker build -t b24-robots .
#   docker run -p 3000:3000 --env-file .env -v b24-data:/app/data b24-robots

# Build stage: the full toolchain, because better-sqlite3 compiles a native addon when no prebuilt binary fits.
FROM node:20-bookworm AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# manifests/ holds the committed registration payloads; make sure the directory exists for the copy below.
RUN mkdir -p manifests \
 && npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: Node and the production dependencies only, as the unprivileged `node` user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_URL=sqlite:./data/b24-robots.sqlite
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/manifests ./manifests
# The default SQLite file lives here: mount a volume to keep installations and runs across restarts.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "require('http').get('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
# SIGTERM (docker stop) stops taking calls, lets the runs in progress finish, then exits.
CMD ["node", "dist/src/main.js"]

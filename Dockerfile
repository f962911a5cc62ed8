# syntax=docker/dockerfile:1
# The production image: compiled JavaScript, production dependencies only, a non-root user, and
# tini as PID 1 so SIGTERM reaches node and the hub stops cleanly (README: "Operating the hub").

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY jobs ./jobs
COPY drizzle ./drizzle
RUN npm run build

FROM node:20-bookworm-slim AS runtime
# Chromium and a Chinese font print the monthly bulletin (GET /export/bulletin.pdf), offline
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini chromium fonts-wqy-microhei \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production PORT=4000 HUB_DATA_DIR=/app/data HUB_CHROMIUM_PATH=/usr/bin/chromium
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY plans ./plans
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 4000
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/main.js", "all"]

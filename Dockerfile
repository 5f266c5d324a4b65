# hma-stream processes: one image, the process chosen by the command (`api`, `hasher`, …).
# TypeScript runs through tsx, as in development: no build step between source and image.
FROM node:20-bookworm-slim

# ffmpeg: video frames for vPDQ.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY topology ./topology
COPY schemas ./schemas

# SERVICES_DIR: the generated secrets key lives here (a volume in docker-compose.yml), owned by the user that writes it.
RUN mkdir -p /app/.run && chown node:node /app/.run
ENV NODE_ENV=production PRODUCTION=true
# glibc allocator settings of every hma process (read at process start): the value of
# src/config/glibc-tunables.ts, which test/foundation/glibc-tunables.unit.test.ts keeps equal.
ENV GLIBC_TUNABLES=glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=1048576
USER node
EXPOSE 5000 9464
ENTRYPOINT ["node", "bin/hma.js"]
CMD ["all"]

# hma-stream processes: one image, the process chosen by the command (`api`, `hasher`, …).
# TypeScript runs through tsx, as in development: no build step between source and image.

# The native JPEG decoder (scripts/build-native.sh), built against Debian's libjpeg-turbo in a
# stage of its own, so the image carries no compiler.
FROM node:20-bookworm-slim AS native
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev libjpeg62-turbo-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY scripts/build-native.sh ./scripts/
COPY src/hashing/native/jpeg-decoder.c ./src/hashing/native/
RUN bash scripts/build-native.sh

FROM node:20-bookworm-slim

# ffmpeg: video frames for vPDQ; libjpeg62-turbo: the native JPEG decoder's library.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg libjpeg62-turbo ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY topology ./topology
COPY schemas ./schemas
COPY --from=native /app/build/native ./build/native

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

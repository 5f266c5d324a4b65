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

ENV NODE_ENV=production PRODUCTION=true
USER node
EXPOSE 5000 9464
ENTRYPOINT ["node", "bin/hma.js"]
CMD ["all"]

# archpin as a container: `archpin serve` by default, any command otherwise
# (docker run --rm IMAGE check /repo, IMAGE run --forge gitlab ...).
#
#   docker build -t archpin .
#   docker run --read-only -v archpin-cache:/cache -e GITLAB_TOKEN -p 8080:8080 archpin
#
# The root filesystem can be read-only: archpin writes only to its cache, /cache (a volume).
#
# The base is Node 26, the active LTS line (Node 24 is in maintenance), pinned by its index
# digest (linux/amd64, linux/arm64, linux/ppc64le). `archpin audit .` gates that pin against
# Docker Hub, and `archpin check .` proposes the next one.

FROM node:26-bookworm-slim@sha256:367679cf9792759492a486e4aa4b421764d71a9546a6dae8aab81a99eb797b3e AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build
RUN npm prune --omit=dev

FROM node:26-bookworm-slim@sha256:367679cf9792759492a486e4aa4b421764d71a9546a6dae8aab81a99eb797b3e AS runtime
ENV NODE_ENV=production \
    XDG_CACHE_HOME=/cache
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY config.schema.json ./config.schema.json
RUN chmod 0755 /app/bin/archpin.js \
 && ln -s /app/bin/archpin.js /usr/local/bin/archpin \
 && mkdir -p /cache \
 && chown node:node /cache
USER node
VOLUME /cache
EXPOSE 8080
ENTRYPOINT ["archpin"]
CMD ["serve"]

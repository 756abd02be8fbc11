# archpin as a container: `archpin serve` by default, any command otherwise
# (docker run --rm IMAGE check /repo, IMAGE run --forge gitlab ...).
#
#   docker build -t archpin .
#   docker run --read-only -v archpin-cache:/cache -e GITLAB_TOKEN -p 8080:8080 archpin
#
# The root filesystem can be read-only: archpin writes only to its cache, /cache (a volume).
#
# The base is Node 24 (the active LTS line), pinned by its index digest; `archpin audit .`
# gates that pin, and `archpin check .` proposes the next one.

FROM node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build
RUN npm prune --omit=dev

FROM node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d AS runtime
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

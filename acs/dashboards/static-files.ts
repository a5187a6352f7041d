// The dashboards' files: dashboards/ (plain ES modules and CSS, no build step)
// under /ui/, and uPlot, installed from npm, under /ui/vendor/uplot/. Every
// /ui response carries a strict Content-Security-Policy: scripts and styles
// from this listener only, no inline code, no framing.

import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyPluginAsync } from "fastify";

export const DASHBOARDS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../dashboards");
const UPLOT_DIST = join(dirname(createRequire(import.meta.url).resolve("uplot/package.json")), "dist");

export const staticFilesRoutes: FastifyPluginAsync<{ root?: string }> = async (app, opts) => {
  app.addHook("onSend", async (request, reply) => {
    const host = request.host;
    void reply.headers({
      "content-security-policy": [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        `connect-src 'self' ws://${host} wss://${host}`, "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'",
      ].join("; "),
      "x-content-type-options": "nosniff",
      "referrer-policy": "same-origin",
    });
  });
  // no-cache: revalidated by ETag, so an upgraded ACS serves its new pages at once.
  await app.register(fastifyStatic, { root: opts.root ?? DASHBOARDS_DIR, prefix: "/ui/", cacheControl: false, setHeaders: (reply) => void reply.header("cache-control", "no-cache") });
  await app.register(fastifyStatic, { root: UPLOT_DIST, prefix: "/ui/vendor/uplot/", decorateReply: false, maxAge: 86_400_000, allowedPath: (path) => /^\/uPlot\.(esm\.js|min\.css)$/.test(path) });
  app.get("/", (_request, reply) => reply.redirect("/ui/"));
};

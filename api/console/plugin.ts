/**
 * The approver console: static files (one HTML page, native ES modules, one stylesheet) served by the API
 * process itself under /console. No build step: the files in public/ are what the browser gets (they are
 * type-checked by `npm run typecheck` through api/console/tsconfig.json, and linted as browser code). The page calls the
 * JSON API on the same origin with the bearer token the user pastes.
 */
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const PUBLIC_DIR = path.join(__dirname, 'public');

/**
 * Third-party browser code the console serves itself (no CDN: the CSP allows only this origin), straight from
 * node_modules so `npm install` is the only way it changes. uPlot (MIT, ~45 kB gzipped) draws the dashboard's charts;
 * it styles through the CSSOM (element.style), which a CSP without 'unsafe-inline' permits.
 */
const VENDOR_FILES: Record<string, { file: string; type: string }> = {
  'uplot.js': { file: require.resolve('uplot/dist/uPlot.esm.js'), type: 'text/javascript; charset=utf-8' },
  'uplot.css': { file: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

/**
 * Stricter than the app-wide helmet policy (no inline styles either): the console needs nothing but its own
 * files and the API on the same origin. Set onSend, so it wins over the app's header on these routes only.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface ConsoleOptions {
  /** Where the page is served; default /console. */
  prefix?: string;
  /** `GET /` redirects to the console; default true. */
  redirectRoot?: boolean;
}

export default async function consolePlugin(app: FastifyInstance, opts: ConsoleOptions = {}): Promise<void> {
  const prefix = (opts.prefix ?? '/console').replace(/\/+$/, '');

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CONSOLE_CSP);
    // The bearer token lives in the page; keep the page out of shared caches and other sites' frames.
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    return payload;
  });

  await app.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: `${prefix}/`,
    // One route per file, made at start: nothing outside public/ is reachable, and unknown paths are plain 404s.
    wildcard: false,
    // Another @fastify/static (Swagger UI's, say) may already have decorated the reply in a parent context.
    decorateReply: !app.hasReplyDecorator('sendFile'),
    index: ['index.html'],
    // Revalidate on every load (ETag makes it cheap): a new release is picked up without a hard refresh.
    cacheControl: false,
    setHeaders: (reply) => {
      reply.header('cache-control', 'no-cache');
    },
  });

  // The vendored files, read once at start (they change only with a new install, which restarts the process).
  for (const [name, { file, type }] of Object.entries(VENDOR_FILES)) {
    const body = fs.readFileSync(file);
    app.get(`${prefix}/vendor/${name}`, { schema: { hide: true } }, async (_request, reply) => {
      return reply.header('content-type', type).header('cache-control', 'no-cache').send(body);
    });
  }

  // `/console` itself (no trailing slash) is the page, unless the router already treats it as `/console/`.
  if (!app.hasRoute({ method: 'GET', url: prefix })) {
    app.get(prefix, { schema: { hide: true } }, async (_request, reply) => {
      return reply.sendFile('index.html', PUBLIC_DIR);
    });
  }

  // People type the bare address: send them to the console (302, so the root stays free for something else later).
  if (opts.redirectRoot !== false && !app.hasRoute({ method: 'GET', url: '/' })) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect(prefix, 302));
  }
}

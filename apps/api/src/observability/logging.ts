import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
const CLUSTER_IN_PATH = /^\/api\/(?:clusters|exercises)\/([A-Za-z0-9_-]{1,64})/;

/**
 * A URL with the value of every query parameter whose name says token (`token`, `viewerToken`,
 * `token[]`, or spelt with percent-escapes, `%74oken`, as the query parser reads it) replaced, so a
 * link's secret never reaches a log.
 */
export function redactTokens(url: string): string {
  const start = url.indexOf('?');
  if (start < 0) return url;
  const query = url
    .slice(start + 1)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      const key = eq < 0 ? part : part.slice(0, eq);
      return /token/i.test(decodeKey(key)) ? `${key}=***` : part;
    });
  return `${url.slice(0, start)}?${query.join('&')}`;
}

function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

/**
 * pino through nestjs-pino: one JSON line per event. Every request gets an id (the front door's
 * X-Request-Id when it sends a sane one, else a new UUID), echoed in the response's X-Request-Id and
 * put on every line logged while handling it, with the cluster id when the path names one. Tokens
 * (Authorization, ?token=) and cookies are never written.
 */
export function loggerParams(level: string): Params {
  return {
    // Every route, in Nest 11's path syntax (nestjs-pino's default '*' makes Nest warn at start).
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: {
      level,
      messageKey: 'msg',
      base: { service: 'overcommit-api', pid: process.pid },
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      customProps: (req: IncomingMessage) => {
        const clusterId = CLUSTER_IN_PATH.exec(req.url ?? '')?.[1];
        return clusterId ? { clusterId } : {};
      },
      // Probes and scrapes every few seconds would drown the log; their failures still show as errors.
      autoLogging: {
        ignore: (req: IncomingMessage) =>
          /^\/(?:api\/health(?:\/|$|\?)|metrics(?:$|\?))/.test(req.url ?? ''),
      },
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      serializers: {
        req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: redactTokens(req.url),
          remoteAddress: req.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'token', '*.token'],
        censor: '***',
      },
    },
  };
}

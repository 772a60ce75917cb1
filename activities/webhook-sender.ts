/**
 * One Standard Webhooks 1.0 delivery: the event signed with the subscription's secret by the `standardwebhooks`
 * library, POSTed with a 15 s limit. Any 2xx is success; redirects are not followed (one could lead into the
 * company network), everything else is a failed attempt that the relay retries.
 */
import http from 'node:http';
import https from 'node:https';
import { Webhook } from 'standardwebhooks';
import type { LoggedEvent } from '../domain/events';
import { guardedLookup } from './net-guard';

export const DELIVERY_TIMEOUT_MS = 15_000;

export interface DeliveryResult {
  ok: boolean;
  /** The address the URL resolved to is one webhooks may not call (request-forgery guard). */
  refused: boolean;
  httpStatus: number | null;
  error: string | null;
}

/** The body every delivery carries: `{ type, timestamp, data: event }`. */
export function webhookBody(event: LoggedEvent): string {
  return JSON.stringify({ type: event.type, timestamp: event.at, data: event });
}

export function signedHeaders(secret: string, eventId: string, body: string, at = new Date()): Record<string, string> {
  const signature = new Webhook(secret).sign(eventId, at, body);
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
}

export function deliverWebhook(
  target: { url: string; secret: string },
  event: LoggedEvent,
  opts: { allowPrivate: boolean; timeoutMs?: number },
): Promise<DeliveryResult> {
  const body = webhookBody(event);
  const url = new URL(target.url);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: DeliveryResult) => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    const req = client.request(
      url,
      {
        method: 'POST',
        lookup: guardedLookup(opts.allowPrivate),
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'order-review-webhooks/1',
          ...signedHeaders(target.secret, event.id, body),
        },
        timeout: opts.timeoutMs ?? DELIVERY_TIMEOUT_MS,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        // The answer's body is not needed: drain it so the socket is released.
        res.resume();
        res.on('end', () =>
          done({ ok: status >= 200 && status < 300, refused: false, httpStatus: status, error: status >= 200 && status < 300 ? null : `HTTP ${status}` }),
        );
        res.on('error', (err) => done({ ok: false, refused: false, httpStatus: status, error: err.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs ?? DELIVERY_TIMEOUT_MS} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) =>
      done({ ok: false, refused: err.code === 'EADDRNOTALLOWED', httpStatus: null, error: err.message }),
    );
    req.end(body);
  });
}

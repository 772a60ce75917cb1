/**
 * A webhook receiver on loopback, as an integrator would write one: it verifies every delivery with the reference
 * `standardwebhooks` library and answers as the test tells it (2xx, 500, or slowly).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  webhookId: string;
  verified: boolean;
  /** What the receiver answered. */
  answered: number;
  body: { type: string; timestamp: string; data: { id: string; seq: number; orderId: string | null; type: string } };
}

export interface Receiver {
  url: string;
  /** Every request, answered or not, in arrival order. */
  requests: Received[];
  /** Requests answered 2xx. */
  delivered(): Received[];
  /** 200 (default), 500, or a delay before answering 200. */
  behave(b: { status?: number; delayMs?: number }): void;
  setSecret(secret: string): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  let secret = '';
  let status = 200;
  let delayMs = 0;
  const requests: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified = false;
      try {
        new Webhook(secret).verify(body, req.headers as Record<string, string>);
        verified = true;
      } catch {
        verified = false;
      }
      const answer = status;
      const record = { webhookId: String(req.headers['webhook-id']), verified, answered: answer, body: JSON.parse(body) as Received['body'] };
      const reply = () => {
        requests.push(record);
        res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'not now');
      };
      if (delayMs > 0) setTimeout(reply, delayMs);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    requests,
    delivered: () => requests.filter((r) => r.answered >= 200 && r.answered < 300),
    behave(b) {
      status = b.status ?? 200;
      delayMs = b.delayMs ?? 0;
    },
    setSecret(s) {
      secret = s;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

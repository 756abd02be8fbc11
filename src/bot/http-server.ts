/** The small node:http front of `archpin serve`: routes by method and path, reads bodies up to a cap. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  /** Reads the whole body; null when it is larger than the cap (the answer is then 413). */
  readonly body: () => Promise<Buffer | null>;
}

export interface HttpResponse {
  readonly status: number;
  readonly body?: string;
  readonly contentType?: string;
}

export type HttpHandler = (request: HttpRequest) => Promise<HttpResponse> | HttpResponse;

export interface HttpServer {
  /** `http://host:port` as bound (port 0 becomes the real port). */
  readonly url: string;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > maxBytes) {
        over = true;
        chunks.length = 0;
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: HttpResponse, closeAfter: boolean): void {
  const body = response.body ?? '';
  const headers: Record<string, string> = {
    'content-type': response.contentType ?? 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
  };
  if (closeAfter) headers.connection = 'close';
  res.writeHead(response.status, headers);
  res.end(body);
}

export async function startHttpServer(listen: { host: string; port: number }, handler: HttpHandler, options: { maxBodyBytes: number; onError: (error: unknown) => void }): Promise<HttpServer> {
  const server: Server = createServer((req, res) => {
    let tooLarge = false;
    const request: HttpRequest = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0] ?? '/',
      headers: req.headers,
      body: async () => {
        const body = await readBody(req, options.maxBodyBytes);
        if (body === null) tooLarge = true;
        return body;
      },
    };
    Promise.resolve()
      .then(() => handler(request))
      .then(
        (response) => {
          req.resume();
          send(res, response, tooLarge);
        },
        (error: unknown) => {
          options.onError(error);
          send(res, { status: 500, body: 'internal error\n' }, true);
        },
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

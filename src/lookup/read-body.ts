import { RegistryError } from './registry-errors.js';

export interface BodyLimit {
  readonly maxBytes: number;
  /** Builds the error for a body over the limit (the stream is already cancelled). */
  readonly tooLarge: (detail: string) => RegistryError;
  readonly what: string;
}

/**
 * Reads a response body into memory without ever holding more than `maxBytes`: a Content-Length over the limit
 * is refused before reading, a stream that grows past it is cancelled. A body shorter than its Content-Length
 * is a retryable bad response. Stream failures (timeouts included) propagate to the caller to classify.
 */
export async function readCappedBody(response: Response, limit: BodyLimit): Promise<Uint8Array> {
  const declared = contentLength(response);
  if (declared !== null && declared > limit.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw limit.tooLarge(`${limit.what}: Content-Length ${declared} exceeds the limit of ${limit.maxBytes} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (response.body !== null) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit.maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw limit.tooLarge(`${limit.what}: body exceeds the limit of ${limit.maxBytes} bytes`);
      }
      chunks.push(value);
    }
  }
  if (declared !== null && total !== declared) {
    throw new RegistryError('registry-bad-response', `${limit.what}: body has ${total} bytes, Content-Length said ${declared}`, {
      retryable: true,
    });
  }
  return concat(chunks, total);
}

/** The declared length of the decoded body; unknown when the body is content-encoded. */
function contentLength(response: Response): number | null {
  const encoding = response.headers.get('content-encoding');
  if (encoding !== null && encoding.trim().toLowerCase() !== 'identity') return null;
  const header = response.headers.get('content-length');
  if (header === null || !/^\d+$/.test(header.trim())) return null;
  return Number(header.trim());
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

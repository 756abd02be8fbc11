/** Where a registry is reached: Docker Hub's API host, mirrors, and plain HTTP for loopback or insecure hosts. */

export interface EndpointOptions {
  /** Replaces the base URL of a registry, e.g. `{ "docker.io": "https://mirror.example.com" }`. */
  readonly mirrors?: Readonly<Record<string, string>>;
  /** Registry hosts (with port when they use one) spoken to over plain HTTP. */
  readonly insecure?: readonly string[];
}

const DOCKER_HUB_API = 'https://registry-1.docker.io';

/** Splits `host[:port]` (including `[::1]:5000`) into the host name and the port text. */
export function splitHostPort(hostPort: string): { hostname: string; port: string } {
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close !== -1) {
      const rest = hostPort.slice(close + 1);
      return { hostname: hostPort.slice(0, close + 1).toLowerCase(), port: rest.startsWith(':') ? rest.slice(1) : '' };
    }
  }
  const colon = hostPort.lastIndexOf(':');
  if (colon !== -1 && hostPort.indexOf(':') === colon) {
    return { hostname: hostPort.slice(0, colon).toLowerCase(), port: hostPort.slice(colon + 1) };
  }
  return { hostname: hostPort.toLowerCase(), port: '' };
}

/** True for `localhost`, `127.0.0.0/8` and `[::1]`, with or without a port. */
export function isLoopbackHost(hostPort: string): boolean {
  const { hostname } = splitHostPort(hostPort);
  if (hostname === 'localhost' || hostname === '[::1]' || hostname === '::1') return true;
  const octets = hostname.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}

/** The base URL (no trailing slash) that `/v2/...` paths are appended to. */
export function registryBaseUrl(registry: string, options: EndpointOptions = {}): string {
  const mirror = options.mirrors?.[registry];
  if (mirror !== undefined) return mirror.replace(/\/+$/, '');
  if (registry === 'docker.io') return DOCKER_HUB_API;
  const plain = isLoopbackHost(registry) || (options.insecure ?? []).includes(registry);
  return `${plain ? 'http' : 'https'}://${registry}`;
}

/** True when a URL may carry secrets: HTTPS, or plain HTTP to a loopback host. */
export function isSafeTransport(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.host));
}

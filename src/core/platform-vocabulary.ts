import { formatPlatform, normalizePlatform, parsePlatform } from './platform.js';

/**
 * The values the OCI image index takes for `platform.os`, `platform.architecture` and
 * `platform.variant` (the Go GOOS/GOARCH lists it refers to, and the variants in use).
 */
export const PLATFORM_OSES = ['aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'illumos', 'ios', 'js', 'linux', 'netbsd', 'openbsd', 'plan9', 'solaris', 'wasip1', 'windows'] as const;
export const PLATFORM_ARCHITECTURES = ['386', 'amd64', 'arm', 'arm64', 'loong64', 'mips', 'mips64', 'mips64le', 'mipsle', 'ppc64', 'ppc64le', 'riscv64', 's390x', 'sparc64', 'wasm'] as const;
const VARIANTS: Readonly<Record<string, readonly string[]>> = {
  arm: ['v5', 'v6', 'v7', 'v8'],
  arm64: ['v8', 'v8.1', 'v8.2', 'v8.3', 'v8.4', 'v8.5', 'v8.6', 'v8.7', 'v8.8', 'v8.9', 'v9', 'v9.1', 'v9.2', 'v9.3', 'v9.4', 'v9.5'],
  amd64: ['v1', 'v2', 'v3', 'v4'],
  riscv64: ['rva20u64', 'rva22u64'],
};

export type PlatformCheck = { readonly ok: true; readonly platform: string } | { readonly ok: false; readonly message: string };

/** Edit distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  // One row of the table at a time: row[j] is the distance from the first i characters of a to the first j of b.
  let row = Array.from({ length: b.length + 1 }, (_, index) => index);
  let distance = b.length;
  for (let i = 1; i <= a.length; i++) {
    let left = i;
    let diagonal = i - 1;
    const next = row.slice(1).map((above, index) => {
      left = Math.min(above + 1, left + 1, diagonal + (a[i - 1] === b[index] ? 0 : 1));
      diagonal = above;
      return left;
    });
    row = [i, ...next];
    distance = left;
  }
  return distance;
}

/** The closest of `choices` to `text`, when it is close enough to be a likely typo. */
export function nearest(text: string, choices: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const choice of choices) {
    const distance = editDistance(text.toLowerCase(), choice.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [choice, distance];
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(text.length / 3)) ? best : null;
}

/**
 * Checks `os/arch[/variant]` against the OCI vocabulary (after the usual aliases: x86_64, aarch64,
 * armhf, i386 …). The message names the nearest valid value.
 */
export function checkPlatform(text: string): PlatformCheck {
  const parsed = parsePlatform(text);
  if (!parsed) return { ok: false, message: `"${text}" is not os/arch[/variant], e.g. linux/amd64 or linux/arm/v7` };
  const platform = normalizePlatform(parsed);
  const suggest = (fixed: Partial<typeof platform>): string => formatPlatform({ ...platform, ...fixed });
  if (!(PLATFORM_OSES as readonly string[]).includes(platform.os)) {
    const os = nearest(platform.os, PLATFORM_OSES);
    return { ok: false, message: `"${text}": unknown os "${parsed.os}"${os ? `; did you mean ${suggest({ os })}?` : ` (one of ${PLATFORM_OSES.join(', ')})`}` };
  }
  if (!(PLATFORM_ARCHITECTURES as readonly string[]).includes(platform.architecture)) {
    const architecture = nearest(platform.architecture, PLATFORM_ARCHITECTURES);
    return {
      ok: false,
      message: `"${text}": unknown architecture "${parsed.architecture}"${architecture ? `; did you mean ${suggest({ architecture, variant: null })}?` : ` (one of ${PLATFORM_ARCHITECTURES.join(', ')})`}`,
    };
  }
  if (platform.variant !== null) {
    const variants = VARIANTS[platform.architecture] ?? [];
    if (!variants.includes(platform.variant)) {
      const known = variants.length ? `variants of ${platform.architecture}: ${variants.join(', ')}` : `${platform.architecture} takes no variant; did you mean ${suggest({ variant: null })}?`;
      return { ok: false, message: `"${text}": unknown variant "${parsed.variant}" (${known})` };
    }
  }
  return { ok: true, platform: formatPlatform(platform) };
}

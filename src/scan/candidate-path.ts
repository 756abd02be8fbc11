/** Could any extractor want this file? Decided by name alone, so a walk reads only these. */
export function isCandidatePath(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  if (/\.ya?ml$/.test(base)) return true;
  if (base.endsWith('.pp') || base.endsWith('.nomad') || base.endsWith('.hcl')) return true;
  if (base === 'kustomization') return true;
  if (/^(dockerfile|containerfile)(\..+)?$/.test(base) && !/\.(md|txt|rst|orig|bak)$/.test(base)) return true;
  return /\.(dockerfile|containerfile)$/.test(base);
}

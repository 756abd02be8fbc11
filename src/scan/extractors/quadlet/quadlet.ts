import type { SourceFile } from '../../../core/source-file.js';
import type { Reference } from '../../../core/types.js';
import { byPath, type Extractor } from '../../extractor.js';
import { makeReference } from '../../make-reference.js';

/**
 * Podman Quadlet units: `Image=` in the `[Container]` section of `.container` files, the `[Image]`
 * section of `.image` files and the `[Volume]` section of `.volume` files. A value naming another
 * unit (`Image=app.image`, `Image=app.build`) is built or pulled by that unit: not a reference here.
 * `.kube` units point at a Kubernetes YAML file (`Yaml=`), which the Kubernetes extractor reads.
 * Unit templates (`web.container.in`) are read the same way; `@NAME@` placeholders in them are templated. So are units kept
 * as Go or Jinja templates (`web.container.gotmpl`, `web.container.j2`): a template action in the tag
 * (`Image=registry.example.test/web:{{.tag}}`) makes the image templated, and a value that starts with one
 * (`Image={{ web_image }}`) passes on an image set elsewhere and is not reported. An empty value followed by a note
 * (`Image=   # the image to use`) names no image.
 */

/** A unit, or a unit template that a build step fills in (`web.container.in`) or a template engine renders (`web.container.gotmpl`). */
const UNIT = /\.(?:container|image|volume)(?:\.in|\.gotmpl|\.j2)?$/i;
/** A unit kept as a Go or Jinja template. */
const RENDERED_UNIT = /\.(?:gotmpl|j2)$/i;
/** A value that starts with a template action: the image is set where the template's input writes it. */
const STARTS_WITH_ACTION = /^(?:\{\{|\{%)/;
/** `@VERSION@`: a placeholder a `.in` template's build step substitutes. */
const SUBSTITUTION = /@[A-Za-z_][A-Za-z0-9_]*@/;
const IMAGE_SECTIONS = new Set(['container', 'image', 'volume']);
const UNIT_REFERENCE = /\.(?:image|build)$/;
/** A value that starts as a comment does: the note a unit template writes where the image is to go. */
const NOTE = /^[#;]/;
const KIND = 'quadlet-image';
const OTHER_TRANSPORT = /^(?:oci|oci-archive|docker-archive|docker-daemon|dir|containers-storage|sif):/;
/**
 * `localhost/name:tag` (no port): podman's own prefix for an image built or loaded on the host (`podman build -t sketch`
 * stores `localhost/sketch`), kept in its local storage; no registry serves it. `localhost:5000/…` is a registry.
 */
const LOCAL_STORAGE = /^localhost\//;

function isQuadletPath(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return UNIT.test(base) && !base.startsWith('.');
}

/** A systemd value: surrounding double or single quotes are removed (span inside them). */
function unquote(text: string, start: number, end: number): { start: number; end: number } {
  const first = text[start];
  if ((first === '"' || first === "'") && end - start >= 2 && text[end - 1] === first) return { start: start + 1, end: end - 1 };
  return { start, end };
}

function extract(file: SourceFile): Reference[] {
  const text = file.text;
  const references: Reference[] = [];
  let section = '';
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    let contentEnd = lineEnd;
    if (text[contentEnd - 1] === '\r') contentEnd--;
    const line = text.slice(lineStart, contentEnd);
    const trimmed = line.trim();
    const header = /^\[([^\]]+)\]$/.exec(trimmed)?.[1];
    if (header !== undefined) section = header.trim().toLowerCase();
    else if (IMAGE_SECTIONS.has(section) && !trimmed.startsWith('#') && !trimmed.startsWith(';')) {
      const entry = /^([ \t]*)Image[ \t]*=[ \t]*/.exec(line);
      if (entry && !line.trimEnd().endsWith('\\')) {
        const rawStart = lineStart + entry[0].length;
        let rawEnd = contentEnd;
        while (rawEnd > rawStart && (text[rawEnd - 1] === ' ' || text[rawEnd - 1] === '\t')) rawEnd--;
        const { start, end } = unquote(text, rawStart, rawEnd);
        const value = text.slice(start, end);
        // `Image=  # the image to use`: a unit template's note where the value goes (systemd has no comments after a value).
        const passesOn = RENDERED_UNIT.test(file.path) && STARTS_WITH_ACTION.test(value);
        if (value !== '' && !NOTE.test(value) && !UNIT_REFERENCE.test(value) && !passesOn) {
          // `docker://…` names a registry image; podman's other transports (archives, local storage) do not.
          if (!OTHER_TRANSPORT.test(value)) {
            const bare = value.startsWith('docker://') ? { value: value.slice(9), start: start + 9 } : { value, start };
            const local = LOCAL_STORAGE.test(value);
            const skip = value.includes('%') || value.includes('$') || value.includes('{{') || SUBSTITUTION.test(value) ? ('templated' as const) : local ? ('local-stage' as const) : undefined;
            const header = `[${section.charAt(0).toUpperCase()}${section.slice(1)}]`;
            const detail = local ? `${header}; localhost/ is podman's local storage: an image built or loaded on the host, not pulled from a registry` : header;
            references.push(makeReference(file, { kind: KIND, value: bare.value, parts: [{ role: 'reference', start: bare.start, end }], detail, ...(skip ? { skip } : {}) }));
          }
        }
      }
    }
    lineStart = lineEnd + 1;
  }
  return references;
}

export const quadletExtractor: Extractor = {
  name: 'quadlet',
  kinds: [KIND],
  quoting: 'verbatim',
  ...byPath(isQuadletPath),
  extract: (file) => ({ references: extract(file), problems: [] }),
};

import { isMap, isPair, isScalar, type Document } from 'yaml';

/** The two-letter language codes of ISO 639-1: the language part of most locale names (`en`, `nl_BE`, `pt-BR`). */
const LANGUAGES: ReadonlySet<string> = new Set(
  (
    'aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff ' +
    'fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku ' +
    'kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu ' +
    'rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo ' +
    'wa wo xh yi yo za zh zu'
  ).split(' '),
);

/** A locale name: a language (two or three letters), then a region (`BE`, `419`) or a script (`Hans`) after `-` or `_`. */
const LOCALE = /^([a-z]{2,3})((?:[-_](?:[A-Z]{2}|\d{3}|[A-Z][a-z]{3})){0,2})$/;

/** The folders translations are kept in: Rails' `config/locales/`, `locale/`, `i18n/`. */
const LOCALE_FOLDER = /(?:^|\/)(?:locales|locale|i18n)\//;

/**
 * A translation file of Rails i18n and its kin (`config/locales/nl_BE.yml`, `devise.fil_PH.yml`): one document whose one
 * top-level key is a locale name over a map of messages, kept in a folder of translations or named after that locale.
 * Its keys are a program's words (`image: plaatje`, a label), never images. The language must be a two-letter ISO 639-1
 * code, or be given with a region (`fil_PH`), unless the folder says the file holds translations (`locales/lkt.yml`).
 */
export function isTranslationFile(path: string, documents: readonly Document.Parsed[]): boolean {
  if (documents.length !== 1) return false;
  const root = documents[0]?.contents;
  if (!isMap(root) || root.items.length !== 1) return false;
  const [pair] = root.items;
  if (!isPair(pair) || !isScalar(pair.key) || typeof pair.key.value !== 'string' || !isMap(pair.value)) return false;
  const locale = pair.key.value;
  const match = LOCALE.exec(locale);
  if (!match) return false;
  if (LOCALE_FOLDER.test(path)) return true;
  const name = path.slice(path.lastIndexOf('/') + 1).replace(/\.ya?ml$/i, '');
  const named = name === locale || name.endsWith(`.${locale}`);
  return named && (LANGUAGES.has(match[1] ?? '') || (match[2] ?? '') !== '');
}

/** `text` as a regular expression that matches it literally: every character with a meaning of its own escaped. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

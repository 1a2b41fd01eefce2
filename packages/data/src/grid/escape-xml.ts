/** Escapes `& < > " '` so arbitrary text can sit inside SVG/XML text and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) =>
    character === '&' ? '&amp;' : character === '<' ? '&lt;' : character === '>' ? '&gt;' : character === '"' ? '&quot;' : '&apos;',
  );
}

// Markdown (CommonMark, as OpenAPI descriptions are: OAS 3.1 §4.3) rendered to HTML on the
// server with marked. The descriptions are ours, but the renderer escapes anyway: raw HTML is
// shown as text, links keep only http(s), relative and fragment targets, and images become
// their alt text (a page under a strict CSP loads nothing from elsewhere).
import { Marked, type Tokens } from 'marked';
import { raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);

/** http(s) URLs, and paths and fragments of this site; nothing else (no javascript:, data:). */
const SAFE_HREF = /^(https?:\/\/|\/(?!\/)|#)/i;

const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    link(this: { parser: { parseInline(tokens: Tokens.Generic[]): string } }, { href, title, tokens }: Tokens.Link): string {
      const label = this.parser.parseInline(tokens);
      if (!SAFE_HREF.test(href.trim())) return label;
      return `<a href="${escapeHtml(href)}"${title ? ` title="${escapeHtml(title)}"` : ''}>${label}</a>`;
    },
    image({ text }: Tokens.Image): string {
      return escapeHtml(text);
    },
  },
});

/** Block Markdown (paragraphs, lists, tables) as HTML that hono/html inserts unescaped. */
export function markdown(text: string): HtmlEscapedString {
  return raw(marked.parse(text, { async: false }));
}

/** One line of Markdown (a summary) without the paragraph around it. */
export function markdownInline(text: string): HtmlEscapedString {
  return raw(marked.parseInline(text, { async: false }));
}

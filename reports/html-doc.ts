// A few lines of HTML building for the report pages: every text and attribute value is
// escaped here, once; only our own constant CSS and scripts go in raw. (An XML builder
// writes `<td/>`, which HTML parses as an open tag, and escapes the `&&` of a script.)
import { showControls } from './text.js';

/** Markup that is already safe. */
export class Html {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export type Child = string | number | Html | null | undefined | false | readonly Child[];
export type Attrs = Readonly<Record<string, string | number | boolean | undefined>>;

const VOID = new Set(['meta', 'input', 'br', 'hr', 'link', 'col', 'img', 'wbr']);

/** Escapes text for an element's content or a quoted attribute; control characters become visible escapes. */
export function esc(text: string): string {
  return showControls(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Our own constant CSS or script: never data. */
export function raw(html: string): Html {
  return new Html(html);
}

export function el(tag: string, attrs: Attrs = {}, ...children: Child[]): Html {
  let open = `<${tag}`;
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    open += value === true ? ` ${name}` : ` ${name}="${esc(String(value))}"`;
  }
  if (VOID.has(tag)) return new Html(`${open}>`);
  return new Html(`${open}>${render(children)}</${tag}>`);
}

function render(children: readonly Child[]): string {
  let out = '';
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (c instanceof Html) out += c.html;
    else if (Array.isArray(c)) out += render(c);
    else out += esc(String(c));
  }
  return out;
}

/** A whole self-contained page: no request leaves it (no scripts, styles or fonts from elsewhere). */
export function page(title: string, css: string, body: Child[], script?: string): string {
  const head = el(
    'head',
    {},
    el('meta', { charset: 'utf-8' }),
    el('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
    // What the page may load: nothing but itself.
    el('meta', {
      'http-equiv': 'Content-Security-Policy',
      content: "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:",
    }),
    el('title', {}, title),
    el('style', {}, raw(css)),
  );
  return `<!DOCTYPE html>\n${el('html', { lang: 'en' }, head, el('body', {}, ...body, script ? el('script', {}, raw(script)) : null))}\n`;
}

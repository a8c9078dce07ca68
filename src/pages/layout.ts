// The HTML shell every page shares: semantic landmarks, one inline stylesheet, no external
// assets, and a Content-Security-Policy that allows exactly that stylesheet (by its hash) and,
// where a page has one, its inline script (by hash too). Everything interpolated is escaped by
// hono/html; `raw` is used only for our own constant markup.
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const CSS = `
:root{color-scheme:light;--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa;--card:#fff;--accent:#0b5cad;--ok:#116329;--ok-bg:#dafbe1;--bad:#a40e26;--bad-bg:#ffebe9;--warn:#7d4e00;--warn-bg:#fff8c5}
*{box-sizing:border-box}
body{margin:0;font:1rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
header.site,footer.site{background:#fff;border-bottom:1px solid var(--line)}
footer.site{border-top:1px solid var(--line);border-bottom:0;margin-top:3rem;color:var(--muted);font-size:.9rem}
.wrap{max-width:46rem;margin:0 auto;padding:1rem}
header.site a{color:var(--ink);font-weight:700;text-decoration:none}
header.site nav{display:flex;gap:1rem;flex-wrap:wrap;align-items:baseline}
header.site nav a.small{font-weight:400;color:var(--accent)}
main{display:block}
h1{font-size:1.6rem;line-height:1.25;margin:1.2rem 0 .6rem}
h2{font-size:1.2rem;margin:1.6rem 0 .5rem}
a{color:var(--accent)}
/* The verify report names DIDs and URLs in running text: they wrap instead of widening the page at 390 px. */
.credential-report p,.credential-report li{overflow-wrap:break-word}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1rem 1.2rem;margin:1rem 0}
.card>:first-child{margin-top:0}.card>:last-child{margin-bottom:0}
.badge-head{display:flex;gap:1.2rem;align-items:center;flex-wrap:wrap}
.badge-head img{width:140px;height:140px;flex:none}
.badge-head div{flex:1 1 16rem;min-width:0}
dl.facts{display:grid;grid-template-columns:minmax(7rem,max-content) 1fr;gap:.3rem 1rem;margin:.5rem 0}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;overflow-wrap:anywhere}
.button,button{display:inline-block;font:inherit;font-weight:600;padding:.6rem 1.1rem;border-radius:8px;border:1px solid var(--accent);background:var(--accent);color:#fff;text-decoration:none;cursor:pointer}
.button.secondary,button.secondary{background:#fff;color:var(--accent)}
.button:focus-visible,button:focus-visible,a:focus-visible,textarea:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #f0b400;outline-offset:2px}
.actions{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center;margin:.8rem 0}
.qr{display:block;width:220px;max-width:100%;height:auto;background:#fff;border:1px solid var(--line);border-radius:6px}
.note{color:var(--muted);font-size:.92rem}
.qr-pair{display:flex;flex-wrap:wrap;gap:1.2rem}.qr-pair figure{margin:0}.qr-pair figcaption{font-size:.92rem;color:var(--muted);max-width:220px}
.tx-code{font:700 1.4rem/1.2 ui-monospace,monospace;letter-spacing:.2em}
@media (max-width:48rem){.large-screen-only{display:none}}
.big-actions{display:flex;flex-wrap:wrap;gap:.6rem}@media (max-width:48rem){.big-actions{display:block}.big-actions .button{display:block;text-align:center;font-size:1.1rem;padding:1rem 1.1rem;margin:.6rem 0}}
ul.claim-items{padding-left:1.2rem}ul.claim-items li{margin:.3rem 0}
.pill{display:inline-block;padding:.15rem .6rem;border-radius:999px;font-weight:700;font-size:.95rem}
.pill.ok{background:var(--ok-bg);color:var(--ok)}.pill.bad{background:var(--bad-bg);color:var(--bad)}.pill.warn{background:var(--warn-bg);color:var(--warn)}
ol.steps li{margin:.3rem 0}
ul.checks{list-style:none;padding:0;margin:.5rem 0}
ul.checks li{display:flex;gap:.6rem;padding:.5rem 0;border-bottom:1px solid var(--line)}
ul.checks li:last-child{border-bottom:0}
ul.checks li>div{min-width:0;overflow-wrap:anywhere}
.mark{flex:none;width:1.6rem;height:1.6rem;border-radius:50%;display:inline-flex;align-items:center;justify-content:center;font-weight:700}
.mark.ok{background:var(--ok-bg);color:var(--ok)}.mark.bad{background:var(--bad-bg);color:var(--bad)}.mark.skip{background:var(--bg);color:var(--muted)}
.verdict{font-size:1.15rem;font-weight:700;padding:.8rem 1rem;border-radius:8px;margin:1rem 0}
.verdict.ok{background:var(--ok-bg);color:var(--ok)}.verdict.bad{background:var(--bad-bg);color:var(--bad)}.verdict.warn{background:var(--warn-bg);color:var(--warn)}
label{font-weight:600;display:block;margin:.8rem 0 .3rem}
textarea,input[type=url],input[type=text],select{width:100%;font:.92rem/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;padding:.6rem;border:1px solid var(--line);border-radius:8px;background:#fff}
textarea{min-height:12rem;resize:vertical}
input[type=file]{font:inherit;max-width:100%}
.drop{border:2px dashed var(--line);border-radius:10px;padding:.8rem}
.drop.over{border-color:var(--accent);background:#eef5fd}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.88rem}
code{overflow-wrap:anywhere}
pre{background:var(--bg);padding:.8rem;border-radius:8px;overflow:auto}
details{margin:.6rem 0}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.92rem;margin:.6rem 0}
th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid var(--line)}
th{color:var(--muted);font-weight:600}
td:first-child code{white-space:nowrap}
h3{font-size:1.05rem;margin:.2rem 0 .5rem}h4{font-size:.95rem;margin:1rem 0 .3rem}
summary{cursor:pointer;font-weight:600}
output{display:block;white-space:pre-wrap;overflow-wrap:anywhere;font:.85rem/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--bg);border-radius:8px;padding:.5rem;margin-top:.5rem}
output:empty{display:none}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media print{body{background:#fff;font-size:10.5pt;line-height:1.35}header.site,footer.site,.no-print{display:none}.wrap{max-width:none;padding:0}.card{border:0;padding:0;margin:.4rem 0}h1{font-size:15pt;margin:0 0 .3rem}h2{font-size:11.5pt;margin:.6rem 0 .2rem}ul.checks li{padding:.15rem 0;break-inside:avoid}.verdict{padding:.3rem .5rem;margin:.4rem 0;print-color-adjust:exact;-webkit-print-color-adjust:exact}a{color:inherit;text-decoration:none}}
@media (max-width:30rem){.badge-head img{width:96px;height:96px}dl.facts{grid-template-columns:1fr}dl.facts dt{margin-top:.4rem}h1{font-size:1.35rem}}
`;

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const CSS_HASH = hash(CSS);

export interface PageOptions {
  title: string;
  /** Shown to search engines and link previews. */
  description?: string | undefined;
  /** Open Graph properties (og:title, og:image, ...), for pages meant to be shared. */
  openGraph?: Record<string, string | undefined> | undefined;
  /** An inline script (constant text: it is allowed by its hash). */
  script?: string | undefined;
  /** More CSS after the shared stylesheet (constant text: allowed by its hash), e.g. the console's. */
  style?: string | undefined;
  /** The header's navigation instead of the public site's (the console's). */
  nav?: Html | undefined;
  /** Seconds after which the browser reloads the page (a running batch's progress without script). */
  refreshSeconds?: number | undefined;
  /**
   * The reload only without script (`<noscript>` in the head may hold a meta, HTML §4.11.2): the
   * page's script updates it in place instead (the console's live progress bars).
   */
  refreshOnlyWithoutScript?: boolean | undefined;
  body: Html;
}

export function renderPage(options: PageOptions): Html {
  const og = Object.entries(options.openGraph ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${options.title} · educred</title>
${options.description ? html`<meta name="description" content="${options.description}">` : ''}
${og.map(([property, content]) => html`<meta property="${property}" content="${content}">\n`)}
${options.refreshSeconds ? (options.refreshOnlyWithoutScript ? html`<noscript><meta http-equiv="refresh" content="${options.refreshSeconds}"></noscript>` : html`<meta http-equiv="refresh" content="${options.refreshSeconds}">`) : ''}
<style>${raw(CSS)}</style>
${options.style ? html`<style>${raw(options.style)}</style>` : ''}
</head>
<body>
<header class="site"><div class="wrap">${options.nav ?? html`<nav aria-label="Site"><a href="/">educred</a><a class="small" href="/verify">Verify a badge</a><a class="small" href="/docs">API reference</a></nav>`}</div></header>
<main id="main"><div class="wrap">
${options.body}
</div></main>
<footer class="site"><div class="wrap">Open Badges 3.0 verifiable credentials for educator competencies.</div></footer>
${options.script ? html`<script>${raw(options.script)}</script>` : ''}
</body>
</html>`;
}

/** Sends a page with a policy that allows nothing but this page's own style, script, images and forms. */
export async function sendPage(c: Context, options: PageOptions, status: ContentfulStatusCode = 200): Promise<Response> {
  const scriptSrc = options.script ? hash(options.script) : `'none'`;
  const policy = [
    `default-src 'none'`,
    `style-src ${CSS_HASH}${options.style ? ` ${hash(options.style)}` : ''}`,
    `script-src ${scriptSrc}`,
    `img-src 'self' data:`,
    `connect-src 'self'`,
    `form-action 'self'`,
    `base-uri 'none'`,
    `frame-ancestors 'none'`,
  ].join('; ');
  return c.html(await renderPage(options), status, { 'Content-Security-Policy': policy, 'Cache-Control': 'no-store' });
}

/** A page that says one thing went wrong, and what to do. */
export function messagePage(c: Context, status: ContentfulStatusCode, title: string, lines: Array<Html | string>): Promise<Response> {
  return sendPage(c, { title, body: html`<h1>${title}</h1><div class="card">${lines.map((l) => html`<p>${l}</p>`)}</div>` }, status);
}

// The console's page shell: the shared layout (src/pages/layout.ts) with the console's navigation
// (what the signed-in person's role may use), its sign-out form, and its stylesheet: phone first,
// wide tables scroll inside their own box so no page scrolls sideways, big tap targets.
import { html } from 'hono/html';
import { may, type Role } from '../../console/roles.js';
import type { Html, PageOptions } from '../layout.js';

export type Screen = 'educators' | 'observe' | 'batches' | 'frameworks' | 'decisions' | 'access' | 'sign-in';

export interface Viewer {
  name: string;
  role: Role;
  /** The session's CSRF token, for every form of the page. */
  csrf: string;
}

export const CONSOLE_CSS = `
.wrap{max-width:72rem}
.table-wrap{position:relative}
main p,main li{overflow-wrap:break-word}
nav.console{display:flex;flex-wrap:wrap;gap:.3rem 1rem;align-items:center}
nav.console a{font-weight:600}
nav.console a.home{color:var(--ink)}
nav.console a[aria-current=page]{text-decoration:underline;text-decoration-thickness:3px;text-underline-offset:.35em}
nav.console .who{margin-left:auto;display:flex;gap:.6rem;align-items:center;flex-wrap:wrap;color:var(--muted);font-size:.9rem}
nav.console form{margin:0}
button.link{background:none;border:0;color:var(--accent);padding:.2rem 0;font-weight:600;text-decoration:underline}
button.danger{background:var(--bad);border-color:var(--bad)}
button.small,.button.small{padding:.35rem .7rem;font-size:.9rem}
input[type=date],input[type=email],input[type=search],input[type=password],input[type=number]{width:100%;font:inherit;padding:.55rem;border:1px solid var(--line);border-radius:8px;background:#fff}
input[type=text]{font-family:inherit;font-size:1rem}
select{font-family:inherit;font-size:1rem}
summary:focus-visible,input[type=date]:focus,input[type=date]:focus-within{outline:3px solid #f0b400;outline-offset:2px}
.row{display:flex;flex-wrap:wrap;gap:0 1rem}.row>div{flex:1 1 12rem;min-width:0}
fieldset{border:1px solid var(--line);border-radius:10px;margin:.8rem 0;padding:.5rem .8rem .8rem;min-width:0;background:#fff}
legend{font-weight:700;padding:0 .3rem}
.levels{display:flex;flex-wrap:wrap;gap:.4rem;margin:.4rem 0}
.levels label{margin:0;font-weight:400;border:1px solid var(--line);border-radius:8px;padding:.45rem .7rem;display:flex;gap:.45rem;align-items:center;min-height:44px;background:var(--bg)}
.levels input{width:1.2rem;height:1.2rem;margin:0;flex:none}
.levels label:has(input:checked){border-color:var(--accent);background:#eef5fd;font-weight:600}
dl.levels-help{margin:.3rem 0;font-size:.92rem}dl.levels-help dt{font-weight:700}dl.levels-help dd{margin:0 0 .4rem}
table.grid th.c,table.grid td.c{text-align:center;padding:.35rem .15rem;min-width:2.2rem}
td.c.mastered{background:var(--ok-bg);color:var(--ok);font-weight:700}
td.c.in-progress{background:var(--warn-bg);color:var(--warn)}
td.c.not-started{color:var(--muted)}
ol.timeline{list-style:none;padding:0 0 0 1rem;border-left:3px solid var(--line);margin:.5rem 0 .5rem .4rem}
ol.timeline>li{margin:0 0 1rem}
ul.plain{list-style:none;padding:0;margin:.3rem 0}ul.plain>li{margin:.25rem 0}
progress{width:100%;height:1.3rem}
.copy{display:flex;gap:.4rem;align-items:stretch}.copy input{flex:1 1 auto;min-width:0;font:.85rem ui-monospace,monospace}
.secret{font:.9rem ui-monospace,monospace;overflow-wrap:anywhere;background:var(--warn-bg);padding:.6rem;border-radius:8px}
.notice{background:var(--ok-bg);color:var(--ok);padding:.7rem 1rem;border-radius:8px;font-weight:600}
.error{background:var(--bad-bg);color:var(--bad);padding:.7rem 1rem;border-radius:8px;font-weight:600}
`;

// Copy buttons for claim links; without script the link is still selectable in its field.
// A running import's or batch's progress bar (`<progress data-state="…/state">`) follows its
// JSON state route (connect-src 'self') once a second; the counts go to a polite live region at
// most every five seconds and when it ends, then the finished rows replace the table in place.
// Without script the page reloads itself instead (its refresh meta is in <noscript>).
export const CONSOLE_SCRIPT = `
document.querySelectorAll('[data-copy]').forEach(b=>{b.hidden=false;b.addEventListener('click',()=>{const f=document.getElementById(b.getAttribute('data-copy'));if(!f)return;navigator.clipboard.writeText(f.value).then(()=>{b.textContent='Copied';setTimeout(()=>{b.textContent='Copy';},2000);},()=>{f.select();});});});
(()=>{const bar=document.querySelector('progress[data-state]');if(!bar)return;const label=document.getElementById('progress-label'),counts=document.getElementById('progress-counts');let said=0;
const swap=()=>fetch(location.href,{credentials:'same-origin'}).then(r=>r.text()).then(t=>{const d=new DOMParser().parseFromString(t,'text/html');['rows','progress-note'].forEach(id=>{const o=document.getElementById(id),n=d.getElementById(id);if(o&&n)o.replaceWith(document.importNode(n,true));});document.body.setAttribute('data-live','done');});
const tick=()=>fetch(bar.getAttribute('data-state'),{credentials:'same-origin',headers:{Accept:'application/json'}}).then(r=>r.ok?r.json():Promise.reject(new Error(String(r.status)))).then(s=>{bar.max=Math.max(1,s.total);bar.value=s.processed;bar.textContent=s.processed+' of '+s.total;if(label)label.textContent=s.label;const now=Date.now();if(counts&&counts.textContent!==s.summary&&(!s.running||now-said>=5000)){counts.textContent=s.summary;said=now;}if(s.running)setTimeout(tick,1000);else swap();}).catch(()=>setTimeout(tick,3000));
document.body.setAttribute('data-live','running');setTimeout(tick,500);})();`.trim();

const SCREENS: Array<{ screen: Screen; href: string; label: string; needs: Parameters<typeof may>[1] }> = [
  { screen: 'educators', href: '/console/educators', label: 'Educators', needs: 'read' },
  { screen: 'observe', href: '/console/observe', label: 'Record an observation', needs: 'observe' },
  { screen: 'batches', href: '/console/batches', label: 'Batches', needs: 'issue' },
  { screen: 'frameworks', href: '/console/frameworks', label: 'Frameworks and programs', needs: 'read' },
  { screen: 'decisions', href: '/console/decisions', label: 'Decisions', needs: 'issue' },
  { screen: 'access', href: '/console/access', label: 'Access', needs: 'administer' },
];

/** The hidden CSRF field every console form carries. */
export const csrfField = (viewer: Pick<Viewer, 'csrf'>): Html => html`<input type="hidden" name="csrf" value="${viewer.csrf}">`;

function consoleNav(viewer: Viewer | undefined, current: Screen): Html {
  if (!viewer) return html`<nav class="console" aria-label="Console"><a class="home" href="/console">educred console</a></nav>`;
  return html`<nav class="console" aria-label="Console"><a class="home" href="/console">educred console</a>${SCREENS.filter((s) => may(viewer.role, s.needs)).map(
    (s) => html`<a href="${s.href}"${s.screen === current ? html` aria-current="page"` : ''}>${s.label}</a>`,
  )}<span class="who"><span>${viewer.name} · ${viewer.role}</span><form method="post" action="/console/sign-out">${csrfField(viewer)}<button type="submit" class="link">Sign out</button></form></span></nav>`;
}

export interface ConsolePageOptions {
  title: string;
  screen: Screen;
  body: Html;
  /** Reload after this many seconds, without script only (with script the progress bar follows its state route). */
  refreshSeconds?: number | undefined;
}

export function consolePage(viewer: Viewer | undefined, options: ConsolePageOptions): PageOptions {
  return {
    title: `${options.title} · console`,
    nav: consoleNav(viewer, options.screen),
    style: CONSOLE_CSS,
    script: CONSOLE_SCRIPT,
    refreshSeconds: options.refreshSeconds,
    refreshOnlyWithoutScript: true,
    body: options.body,
  };
}

/** A message on a page of its own: a notice (✓) or an error. */
export const flash = (kind: 'notice' | 'error', text: string | undefined): Html | string =>
  text ? html`<p class="${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</p>` : '';

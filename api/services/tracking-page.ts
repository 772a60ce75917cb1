/** The tracking page's HTML: server-rendered, no script, readable on a phone, every value escaped. */
import type { TrackingView } from './tracking';

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** "2 December 2026" in plain words (UTC; the page says nothing finer than the day). */
function day(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

const STYLE = `
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f6f7f9;color:#1c2430}
main{max-width:36rem;margin:0 auto;padding:1.25rem}
h1{font-size:1.35rem;margin:.25rem 0 1rem}
.status{background:#fff;border-radius:.75rem;padding:1rem 1.25rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.status p{margin:.25rem 0}
ol{list-style:none;padding:0;margin:1.25rem 0}
li{position:relative;padding:0 0 1rem 2rem}
li::before{content:"";position:absolute;left:.35rem;top:.35rem;width:.8rem;height:.8rem;border-radius:50%;border:2px solid #9aa5b1;background:#fff}
li.done::before{background:#1f7a4d;border-color:#1f7a4d}
li.now::before{background:#d98e04;border-color:#d98e04}
li .when{color:#5b6775;font-size:.9rem}
.note{background:#fff7e0;border-left:4px solid #d98e04;padding:.5rem .75rem;margin-top:.35rem;white-space:pre-wrap}
table{width:100%;border-collapse:collapse;background:#fff;border-radius:.75rem;overflow:hidden}
td{padding:.5rem .75rem;border-top:1px solid #e6e9ed}td.q{text-align:right;white-space:nowrap}
footer{color:#5b6775;font-size:.85rem;margin-top:1.5rem}`;

export function renderTrackingPage(v: TrackingView): string {
  const current = v.status;
  const stages = v.stages
    .map((s) => {
      const cls = s.key === current && s.key !== 'delivered' ? 'now' : s.done ? 'done' : '';
      const note = s.note ? `<div class="note">${escapeHtml(s.note)}</div>` : '';
      return `<li class="${cls}"><strong>${escapeHtml(s.label)}</strong>${s.at ? ` <span class="when">${day(s.at)}</span>` : ''}${note}</li>`;
    })
    .join('\n');
  const lines = v.lines.map((l) => `<tr><td>${escapeHtml(l.product)}</td><td class="q">× ${l.quantity}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Order ${escapeHtml(v.orderId)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Order ${escapeHtml(v.orderId)}</h1>
<section class="status" aria-live="polite">
<p><strong>${escapeHtml(v.statusText)}</strong></p>
<p>Requested delivery: ${day(v.requestedDeliveryDate)}${v.plannedCompletionDate ? `<br>Planned completion: ${day(v.plannedCompletionDate)}` : ''}</p>
</section>
<ol>
${stages}
</ol>
<table aria-label="Order lines">
${lines}
<tr><td><strong>Total</strong></td><td class="q"><strong>${escapeHtml(v.total)} ${escapeHtml(v.currency)}</strong></td></tr>
</table>
<footer>Last updated ${day(v.updatedAt)}.</footer>
</main>
</body>
</html>`;
}

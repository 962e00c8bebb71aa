import { readFileSync } from 'node:fs';
import { EVENT_KINDS, type TimelineLayout } from './layout.ts';
import type { ReportInput } from './types.ts';

/** The browser side of the report: plain JavaScript, inlined so the file needs nothing else. */
const CLIENT_JS = readFileSync(new URL('./client.js', import.meta.url), 'utf8');

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside a <script> element: no `</script>`, no `<!--`, no line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Configuration as readable JSON: Sets and Maps as lists and objects, bigints as strings. */
export function configJson(config: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return JSON.stringify(
      config,
      (_k, v: unknown) => {
        if (typeof v === 'bigint') return v.toString();
        if (v instanceof Set) return [...v];
        if (v instanceof Map) return Object.fromEntries(v);
        if (typeof v === 'object' && v !== null) {
          if (seen.has(v)) return '[circular]';
          seen.add(v);
        }
        return v;
      },
      2,
    );
  } catch {
    return String(config);
  }
}

const CSS = `
:root { --label-w: 150px; --side-w: 440px; font: 13px/1.4 system-ui, sans-serif; color: #1d2330; }
* { box-sizing: border-box; }
body { margin: 0; display: grid; grid-template-rows: auto 1fr; height: 100vh; overflow: hidden; }
header { padding: 8px 16px; border-bottom: 1px solid #d5d9e0; background: #fff6f4; }
header h1 { margin: 0; font-size: 17px; }
header .rule { display: inline-block; background: #b3261e; color: #fff; border-radius: 4px; padding: 0 6px; margin-left: 6px; }
header .message { margin: 2px 0 0; font-family: ui-monospace, monospace; }
main { display: grid; grid-template-columns: 1fr var(--side-w); min-height: 0; }
#timeline-panel { display: grid; grid-template-rows: auto auto 1fr; min-width: 0; min-height: 0; }
#toolbar { display: flex; gap: 6px; align-items: center; padding: 4px 8px; border-bottom: 1px solid #e3e6eb; flex-wrap: wrap; }
#toolbar button { font: inherit; padding: 1px 8px; }
#toolbar .legend { display: flex; gap: 10px; flex-wrap: wrap; color: #4a5262; margin-left: 8px; }
#toolbar .legend svg { vertical-align: middle; }
#overview { display: block; width: 100%; height: 28px; border-bottom: 1px solid #e3e6eb; cursor: pointer; }
#plot { position: relative; min-height: 0; overflow: hidden; }
#scroller { position: absolute; inset: 0; overflow: auto; }
#spacer { position: relative; }
#lane-labels { position: sticky; left: 0; width: var(--label-w); background: #fafbfc; border-right: 1px solid #d5d9e0; z-index: 2; }
.cpu-lane { border-bottom: 1px solid #c9ced6; }
.cpu-label { height: 20px; font-weight: 600; padding: 1px 8px; background: #eef1f5; }
.lane { height: 22px; padding: 2px 8px 0 18px; color: #4a5262; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#canvas { position: absolute; top: 0; left: var(--label-w); pointer-events: none; }
#overlay { position: absolute; top: 0; left: var(--label-w); right: 0; bottom: 0; pointer-events: none; overflow: hidden; }
.violation-mark { position: absolute; width: 22px; height: 22px; margin: -11px 0 0 -11px; border: 3px solid #d0021b; border-radius: 50%; box-shadow: 0 0 0 3px rgba(208,2,27,.25); }
aside { border-left: 1px solid #d5d9e0; overflow: auto; padding: 0 14px 14px; background: #fcfcfd; }
aside h2 { font-size: 13px; margin: 14px 0 4px; text-transform: uppercase; letter-spacing: .04em; color: #596273; }
pre { margin: 0; padding: 6px 8px; background: #f3f5f8; border-radius: 4px; overflow: auto; font: 12px/1.35 ui-monospace, monospace; }
#replay { white-space: pre-wrap; word-break: break-all; background: #1d2330; color: #e8eaf0; }
#violating button { font: 12px ui-monospace, monospace; margin: 0 4px 4px 0; }
#event-details table { border-collapse: collapse; font: 12px ui-monospace, monospace; }
#event-details td { padding: 0 8px 0 0; vertical-align: top; }
#event-details td:first-child { color: #596273; }
#tooltip { position: fixed; z-index: 10; pointer-events: none; background: #1d2330; color: #f0f2f6; padding: 6px 8px; border-radius: 4px; font: 12px/1.35 ui-monospace, monospace; max-width: 460px; white-space: pre; }
`;

function laneLabels(layout: TimelineLayout): string {
  return layout.cpus
    .map((cpu) => {
      const lanes = layout.lanes
        .map((l, i) => ({ l, i }))
        .filter(({ l }) => l.cpu === cpu)
        .map(
          ({ l, i }) =>
            `<div class="lane" data-lane="${i}" data-kind="${l.kind}"${l.thread === null ? '' : ` data-thread="${l.thread}"`}>${escapeHtml(l.label)}</div>`,
        )
        .join('');
      return `<div class="cpu-lane" data-cpu="${cpu}"><div class="cpu-label">CPU ${cpu}</div>${lanes}</div>`;
    })
    .join('');
}

const LEGEND = `
<span><svg width="12" height="12"><polygon points="1,2 11,2 6,11" fill="#777"/></svg> arrive</span>
<span><svg width="12" height="12"><circle cx="6" cy="6" r="5" fill="#777"/></svg> handle</span>
<span><svg width="12" height="12"><rect x="1" y="1" width="10" height="10" fill="#777"/></svg> deliver</span>
<span><svg width="12" height="12"><rect x="1.5" y="1.5" width="9" height="9" fill="none" stroke="#777" stroke-width="1.5"/></svg> enqueue</span>
<span><svg width="12" height="12"><path d="M1 1L11 11M11 1L1 11" stroke="#d0021b" stroke-width="2.5"/></svg> drop (counter)</span>
<span><svg width="22" height="12"><path d="M1 9Q11 -2 20 9" fill="none" stroke="#e07b00" stroke-width="1.5"/></svg> queue hand-off</span>
<span>colour = flow</span>`;

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** One self-contained HTML document: no network, no external file. */
export function reportHtml(input: ReportInput, layout: TimelineLayout): string {
  const data = {
    kinds: EVENT_KINDS,
    layout,
    events: input.trace,
    highlight: input.highlight.filter((i) => Number.isInteger(i) && i >= 0 && i < input.trace.length),
  };
  const violating = data.highlight
    .map(
      (i) =>
        `<button type="button" data-event="${i}">#${i} ${escapeHtml(input.trace[i]?.kind ?? '')}</button>`,
    )
    .join('');
  const verdict = input.verdict ?? 'violated';
  const title = `${input.property} ${verdict}${input.rule === '' ? '' : ` (${input.rule})`}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header id="violation">
<h1><span class="property">${escapeHtml(input.property)}</span> ${verdict} <span class="rule">${escapeHtml(input.rule)}</span></h1>
<p class="message">${escapeHtml(input.message)}</p>
</header>
<main>
<section id="timeline-panel">
<div id="toolbar">
<button type="button" id="zoom-out" title="zoom out">&minus;</button>
<button type="button" id="zoom-in" title="zoom in">+</button>
<button type="button" id="zoom-fit" title="the whole run">fit</button>
<button type="button" id="goto-violation" title="scroll to the violation">violation</button>
<span id="stats">${count(input.trace.length, 'event')}, ${count(layout.cpus.length, 'CPU')}, ${count(layout.lanes.length, 'thread')}, ${count(layout.flows, 'flow')}</span>
<span class="legend">${LEGEND}</span>
</div>
<canvas id="overview" title="the whole run: events per column, the violation in red, the view framed; click to go there"></canvas>
<div id="plot">
<div id="scroller"><div id="spacer"><div id="lane-labels"><div style="height:20px"></div>${laneLabels(layout)}</div></div></div>
<canvas id="canvas"></canvas>
<div id="overlay"></div>
</div>
</section>
<aside>
<h2>Replay</h2>
<pre id="replay">${escapeHtml(input.replayCommand)}</pre>
<button type="button" id="copy-replay">copy</button>
<h2>Violating events</h2>
<div id="violating">${violating || 'none named'}</div>
<h2>Event</h2>
<div id="event-details">Hover over a mark to see its fields; click to keep them here.</div>
<h2>Policy</h2>
<pre id="policy">${escapeHtml(input.policyName)}</pre>
<h2>netstat -Q at the violation</h2>
<pre id="netstat-q">${escapeHtml(input.netstatQ)}</pre>
<h2>Configuration</h2>
<pre id="config">${escapeHtml(configJson(input.config))}</pre>
</aside>
</main>
<div id="tooltip" hidden></div>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${CLIENT_JS.replace(/<\/script/gi, '<\\/script')}</script>
</body>
</html>
`;
}

// @ts-check
// The dashboard (#/dashboard?days=30), for management, auditors and admins: the period's KPIs as figures, the order
// cycle as a picture (an SVG drawn here: intake, the policy's stages, the outcome; each hand-off labelled with how
// long waiting orders sat before the department picked them up and answered), and the KPIs per day as charts drawn
// by uPlot, which the API serves from node_modules (/console/vendor/uplot.js): nothing comes from another origin.
import { getKpis } from './api.js';
import { $, h } from './dom.js';
import { problemSentence } from './format.js';
import {
  canSeeDashboard,
  cycleModel,
  dailyCharts,
  formatRate,
  formatSeconds,
  handoffLines,
  PERIODS,
  periodDates,
  periodDays,
} from './dashboard-data.js';
import { capitalise } from './labels.js';
import { state } from './state.js';

/** @typedef {import('./dashboard-data.js').KpiReport} KpiReport */
/** @typedef {import('./dashboard-data.js').CycleStep} CycleStep */
/** @typedef {import('./dashboard-data.js').ChartSpec} ChartSpec */
/** @typedef {typeof import('uplot')} UPlot */
/** @typedef {import('uplot')} Plot */

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Series colours (distinct in lightness too; the legend and the tables carry the names). */
const COLOURS = ['#0b57d0', '#b3261e', '#146c2e', '#7a4a00', '#5b3a99', '#00696f'];

// timeZone: the zone the API reads dates in, as its last report said (UTC, the zone without a calendar, until then).
/** @type {{ plots: Plot[], observer: ResizeObserver | null, days: number, loading: number, timeZone: string }} */
const view = { plots: [], observer: null, days: 30, loading: 0, timeZone: 'UTC' };

/** @type {Promise<UPlot> | null} */
let uplotLoading = null;

/** uPlot and its stylesheet, fetched the first time a chart is drawn (approvers without a dashboard never load it). */
function loadUplot() {
  if (!uplotLoading) {
    document.head.append(h('link', { rel: 'stylesheet', href: '/console/vendor/uplot.css' }));
    const url = '/console/vendor/uplot.js';
    uplotLoading = /** @type {Promise<{ default: UPlot }>} */ (import(url)).then((m) => m.default);
  }
  return uplotLoading;
}

/** Shows or hides the top bar's entry for the signed-in principal. */
export function renderDashboardNav() {
  $('nav-dashboard').hidden = !canSeeDashboard(state.me);
}

/**
 * The route: true (and the dashboard shown, its data loading) for #/dashboard, else false with the dashboard hidden.
 * @param {string} hash
 */
export function dashboardRoute(hash) {
  const match = /^#\/dashboard(?:\?(.*))?$/.exec(hash);
  const section = $('dashboard');
  if (!match) {
    if (!section.hidden) {
      section.hidden = true;
      destroyPlots();
    }
    $('nav-dashboard').removeAttribute('aria-current');
    return false;
  }
  view.days = periodDays(new URLSearchParams(match[1] ?? '').get('days'));
  section.hidden = false;
  $('order').hidden = true;
  $('nav-dashboard').setAttribute('aria-current', 'page');
  document.body.dataset.view = 'dashboard';
  renderFrame();
  void loadDashboard();
  return true;
}

function renderFrame() {
  const select = h(
    'select',
    { id: 'dashboard-period', onchange: (/** @type {Event} */ e) => (location.hash = `#/dashboard?days=${/** @type {HTMLSelectElement} */ (e.target).value}`) },
    PERIODS.map((d) => h('option', { value: String(d), selected: d === view.days }, `Last ${d} days`)),
  );
  $('dashboard').replaceChildren(
    h(
      'div',
      { className: 'section-head' },
      h('h2', { id: 'dashboard-title' }, 'Dashboard'),
      h(
        'div',
        { className: 'section-tools' },
        h('label', { for: 'dashboard-period', className: 'inline-label' }, 'Period'),
        select,
        h('button', { type: 'button', className: 'button button-quiet', onclick: () => void loadDashboard() }, 'Refresh'),
        h('a', { href: '#/orders', className: 'small' }, 'Orders list →'),
      ),
    ),
    h('div', { id: 'dashboard-body', 'aria-busy': 'true' }, h('p', { className: 'muted' }, 'Loading the KPIs…')),
  );
}

async function loadDashboard() {
  const ticket = ++view.loading;
  const { from, to } = periodDates(view.days, new Date(), view.timeZone);
  const res = await getKpis({ from, to, groupBy: 'day' });
  if (ticket !== view.loading || $('dashboard').hidden) return;
  // The policy's calendar reads days in another zone than assumed: ask again for that zone's days.
  if (res.ok && typeof res.data?.timeZone === 'string' && res.data.timeZone !== view.timeZone) {
    view.timeZone = res.data.timeZone;
    return loadDashboard();
  }
  const body = $('dashboard-body');
  body.setAttribute('aria-busy', 'false');
  if (!res.ok) {
    destroyPlots();
    const lead = res.status === 403 ? 'The dashboard is for management, auditors and admins.' : 'Could not load the KPIs.';
    body.replaceChildren(h('div', { className: 'message message-bad', role: 'alert', id: 'dashboard-error' }, h('p', null, `${lead} ${problemSentence(res)}`)));
    return;
  }
  const report = /** @type {KpiReport} */ (res.data);
  destroyPlots();
  body.replaceChildren(
    h('p', { className: 'muted small', id: 'dashboard-period-note' }, `Orders submitted ${from} – ${to} (days in ${report.timeZone}).`),
    summary(report),
    cycleSection(report),
    h('section', { className: 'dashboard-charts', 'aria-labelledby': 'charts-title' }, h('h3', { id: 'charts-title' }, 'Per day'), h('div', { id: 'charts', className: 'charts' })),
  );
  await drawCharts(report);
}

/** @param {KpiReport} report */
function summary(report) {
  const t = report.totals;
  /** @type {[string, string, string, number | null][]} */
  const tiles = [
    ['orders', 'Orders', String(t.orders), t.orders],
    ['finished', 'Finished · approved', `${t.finished} · ${t.outcomes.approved}`, t.finished],
    ['touchlessRate', 'Touchless', formatRate(t.touchlessRate), t.touchlessRate],
    ['firstPassRate', 'First pass', formatRate(t.firstPassRate), t.firstPassRate],
    ['cycleP50', 'Cycle time p50', formatSeconds(t.cycleTimeSeconds.p50), t.cycleTimeSeconds.p50],
    ['cycleP90', 'Cycle time p90', formatSeconds(t.cycleTimeSeconds.p90), t.cycleTimeSeconds.p90],
  ];
  return h(
    'dl',
    { className: 'kpi-tiles', id: 'kpi-tiles' },
    tiles.map(([key, label, text, value]) => h('div', { className: 'kpi-tile' }, h('dt', null, label), h('dd', { dataset: { kpi: key, value: String(value) } }, text))),
  );
}

// ---- the order cycle ------------------------------------------------------------------------------------------

/**
 * An SVG element with attributes (presentation attributes and classes only: the CSP forbids inline styles).
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 * @param {...(SVGElement | string)} children
 */
function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

const BOX_W = 164;
const BOX_H = 88;
const GAP_X = 160;
const GAP_Y = 22;
const PAD = 16;

/**
 * @param {number} x @param {number} y @param {string[]} lines @param {string} cls
 * @param {Record<string, string>} [data]
 */
function box(x, y, lines, cls, data = {}) {
  const g = svg('g', { class: `cycle-box ${cls}`, ...Object.fromEntries(Object.entries(data).map(([k, v]) => [`data-${k}`, v])) });
  g.append(svg('rect', { x, y, width: BOX_W, height: BOX_H, rx: 8 }));
  lines.forEach((line, i) => g.append(svg('text', { x: x + BOX_W / 2, y: y + 22 + i * 18, 'text-anchor': 'middle', class: i === 0 ? 'cycle-title' : 'cycle-line' }, line)));
  return g;
}

/** @param {KpiReport} report */
function cycleSection(report) {
  const model = cycleModel(report);
  /** @type {{ kind: 'intake' | 'step' | 'outcome', steps: (CycleStep | null)[] }[]} */
  const columns = [{ kind: 'intake', steps: [null] }, ...model.stages.map((s) => ({ kind: /** @type {const} */ ('step'), steps: s })), { kind: 'outcome', steps: [null] }];
  const tallest = Math.max(...columns.map((c) => c.steps.length));
  const height = PAD * 2 + tallest * BOX_H + (tallest - 1) * GAP_Y + 20;
  const width = PAD * 2 + columns.length * BOX_W + (columns.length - 1) * GAP_X;
  /** Top-left corners of each column's boxes, centred vertically. */
  const pos = columns.map((c, ci) => {
    const colH = c.steps.length * BOX_H + (c.steps.length - 1) * GAP_Y;
    const top = (height - colH) / 2;
    return c.steps.map((_, i) => ({ x: PAD + ci * (BOX_W + GAP_X), y: top + i * (BOX_H + GAP_Y) }));
  });

  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-labelledby': 'cycle-svg-title cycle-svg-desc', class: 'cycle-svg', id: 'cycle-svg' });
  const dominant = model.stages.flat().find((s) => s.dominant);
  root.append(
    svg('title', { id: 'cycle-svg-title' }, 'The order cycle'),
    svg(
      'desc',
      { id: 'cycle-svg-desc' },
      `Intake, then ${model.stages.map((s) => s.map((x) => x.label).join(' and ')).join(', then ')}. ` +
        (dominant ? `The longest hand-off in total is ${dominant.label} (${dominant.department}).` : 'No order waited for a person.'),
    ),
    svg('defs', {}, svg('marker', { id: 'cycle-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'cycle-arrowhead' }))),
  );

  // Arrows first (under the boxes): from each box of a column to each of the next, elbowed, with the hand-off words
  // on the last stretch into the target (drawn once per target).
  for (let ci = 0; ci < columns.length - 1; ci++) {
    const sources = pos[ci] ?? [];
    const targets = pos[ci + 1] ?? [];
    const next = columns[ci + 1];
    targets.forEach((t, ti) => {
      const step = next?.steps[ti] ?? null;
      const tx = t.x;
      const ty = t.y + BOX_H / 2;
      const cls = `cycle-arrow${step?.dominant ? ' cycle-arrow-dominant' : ''}`;
      for (const s of sources) {
        const sx = s.x + BOX_W;
        const sy = s.y + BOX_H / 2;
        const bend = sx + 22;
        root.append(svg('path', { d: `M${sx},${sy} H${bend} V${ty} H${tx - 2}`, class: cls, 'marker-end': 'url(#cycle-arrow)' }));
      }
      if (!step) return;
      const lx = (sources[0]?.x ?? 0) + BOX_W + 30;
      const g = svg('g', {
        class: `handoff${step.dominant ? ' handoff-dominant' : ''}`,
        'data-step': step.step,
        'data-department': step.department,
        'data-waits': String(step.waits),
        'data-pickup-p50': String(step.pickupP50),
        'data-queue-p50': String(step.queueP50),
      });
      const lines = handoffLines(step);
      lines.forEach((line, i) => g.append(svg('text', { x: lx, y: ty - 6 - (lines.length - 1 - i) * 14, class: 'handoff-label' }, line)));
      if (step.dominant && step.share !== null) g.append(svg('text', { x: lx, y: ty + 16, class: 'handoff-dominant-label' }, `largest gap: ${Math.round(step.share * 100)} %`));
      root.append(g);
    });
  }

  columns.forEach((c, ci) =>
    c.steps.forEach((step, i) => {
      const p = pos[ci]?.[i];
      if (!p) return;
      if (c.kind === 'intake') root.append(box(p.x, p.y, ['Intake', `${model.orders} orders`, 'submitted'], 'cycle-intake'));
      else if (c.kind === 'outcome') {
        const o = model.outcomes;
        root.append(box(p.x, p.y, ['Outcome', `${o.approved} approved`, `${o.rejected + o.cancelled + o.expired} not approved`, `${o.open} still open`], 'cycle-outcome'));
      } else if (step) {
        const share = step.reviewed > 0 ? `${formatRate(step.autoPassRate)} touchless` : 'no checks';
        root.append(
          box(p.x, p.y, [step.label, capitalise(step.department), share, step.reviewed > 0 ? `${step.autoPassed} of ${step.reviewed} checks` : ''], 'cycle-step', {
            step: step.step,
            'auto-pass-rate': String(step.autoPassRate),
          }),
        );
      }
    }),
  );

  const rows = model.stages.flat();
  const table = h(
    'table',
    { className: 'table handoffs', id: 'handoff-table' },
    h('caption', { className: 'visually-hidden' }, 'Hand-offs in numbers'),
    h('thead', null, h('tr', null, ['Step', 'Department', 'Touchless', 'Waits', 'Picked up p50', 'Answered p50', 'Answered p90', 'Share of waiting'].map((c) => h('th', { scope: 'col' }, c)))),
    h(
      'tbody',
      null,
      rows.map((s) =>
        h(
          'tr',
          { dataset: { step: s.step } },
          h('th', { scope: 'row' }, s.label),
          h('td', null, capitalise(s.department)),
          h('td', null, s.reviewed > 0 ? `${formatRate(s.autoPassRate)} (${s.autoPassed}/${s.reviewed})` : '—'),
          h('td', null, String(s.waits)),
          h('td', null, formatSeconds(s.pickupP50)),
          h('td', null, formatSeconds(s.queueP50)),
          h('td', null, formatSeconds(s.queueP90)),
          h('td', null, s.share === null ? '—' : `${Math.round(s.share * 100)} %${s.dominant ? ' (largest)' : ''}`),
        ),
      ),
    ),
  );
  return h(
    'section',
    { className: 'dashboard-cycle', 'aria-labelledby': 'cycle-title' },
    h('h3', { id: 'cycle-title' }, 'The order cycle'),
    h(
      'p',
      { className: 'muted small' },
      'Each box is a step with the share of its checks that passed without a person ("touchless"). Each arrow is a hand-off: for the orders that waited there, the median time until a person of the department picked the step up (claimed or answered it) and until it was answered.',
    ),
    h('div', { className: 'cycle-scroll' }, root),
    h('div', { className: 'table-scroll' }, table),
  );
}

// ---- charts ---------------------------------------------------------------------------------------------------

function destroyPlots() {
  for (const p of view.plots) p.destroy();
  view.plots = [];
  view.observer?.disconnect();
  view.observer = null;
}

/** @param {KpiReport} report */
async function drawCharts(report) {
  const box = $('charts');
  const { x, days, charts } = dailyCharts(report);
  let uPlot;
  try {
    uPlot = await loadUplot();
  } catch {
    uplotLoading = null;
    box.replaceChildren(h('p', { className: 'message message-bad' }, 'The charting library could not be loaded; the numbers are in the tables.'));
  }
  if (!box.isConnected) return;
  const cards = charts.map((spec) => {
    const target = h('div', { className: 'chart', dataset: { chart: spec.id } });
    const card = h('figure', { className: 'chart-card', dataset: { chart: spec.id } }, h('figcaption', null, h('h4', null, spec.title), h('span', { className: 'muted small' }, spec.unit)), target, numbers(spec, days));
    return { spec, target, card };
  });
  if (uPlot) box.replaceChildren(...cards.map((c) => c.card));
  else box.append(...cards.map((c) => c.card));
  if (!uPlot) return;
  const U = uPlot;
  const tz = report.timeZone;
  for (const { spec, target } of cards) {
    /** @type {import('uplot').Options} */
    const opts = {
      width: Math.max(280, target.clientWidth),
      height: 200,
      tzDate: (ts) => U.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: { x: { time: true }, y: { range: spec.kind === 'rate' ? [0, 100] : (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      legend: { live: false },
      series: [
        { label: `Day (${tz})` },
        ...spec.series.map((s, i) => ({
          label: s.label,
          stroke: COLOURS[i % COLOURS.length],
          width: 2,
          spanGaps: true,
          points: { show: true, size: 7 },
          value: (/** @type {unknown} */ _u, /** @type {number | null} */ v) => s.format(v),
        })),
      ],
      axes: [{}, { label: spec.unit, size: 56 }],
    };
    view.plots.push(new U(opts, [x, ...spec.series.map((s) => s.values)], target));
  }
  view.observer = new ResizeObserver(() => {
    cards.forEach((c, i) => view.plots[i]?.setSize({ width: Math.max(280, c.target.clientWidth), height: 200 }));
  });
  for (const c of cards) view.observer.observe(c.target);
}

/**
 * The chart's numbers as a table (for screen readers, for copying, and to check the picture against).
 * @param {ChartSpec} spec
 * @param {string[]} days
 */
function numbers(spec, days) {
  const withData = days.map((d, i) => ({ d, i })).filter(({ i }) => spec.series.some((s) => s.values[i] !== null && s.values[i] !== 0));
  return h(
    'details',
    { className: 'chart-numbers' },
    h('summary', null, `Numbers (${withData.length} ${withData.length === 1 ? 'day' : 'days'} with data)`),
    h(
      'table',
      { className: 'table', dataset: { chart: spec.id } },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Day'), spec.series.map((s) => h('th', { scope: 'col' }, s.label)))),
      h(
        'tbody',
        null,
        withData.map(({ d, i }) => h('tr', { dataset: { day: d } }, h('th', { scope: 'row' }, d), spec.series.map((s) => h('td', null, s.format(s.values[i] ?? null))))),
      ),
    ),
  );
}

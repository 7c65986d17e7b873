/* console.js — the console's pages: hash routing, API calls and live updates (server-sent events).
 *
 * Six pages, each a <section id="page-NAME"> of index.html with an object below that fills it:
 *   #/answers  #/pipeline  #/topics[/TOPIC?partition=P&offset=O | ?key=K]  #/dead-letters  #/search  #/sql
 *
 * Everything that comes from the API is untrusted: it reaches the page only as text (textContent through
 * the `h` helper below), never as HTML.
 */
'use strict';

(function () {
  // ---- Theme: applied at once, before the first paint (this script loads in <head>) ----

  const THEME_KEY = 'moodle-pipeline.theme';

  function storedTheme() {
    try { return localStorage.getItem(THEME_KEY); } catch { return null; }
  }

  function effectiveTheme() {
    return document.documentElement.dataset.theme || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  }

  if (storedTheme() === 'light' || storedTheme() === 'dark') document.documentElement.dataset.theme = storedTheme();

  function setUpThemeToggle() {
    const button = document.getElementById('theme-toggle');
    const label = () => button.setAttribute('aria-label', `Switch to ${effectiveTheme() === 'dark' ? 'light' : 'dark'} theme`);
    label();
    button.addEventListener('click', () => {
      const next = effectiveTheme() === 'dark' ? 'light' : 'dark';
      document.documentElement.dataset.theme = next;
      try { localStorage.setItem(THEME_KEY, next); } catch { /* private mode: the choice lasts this page */ }
      label();
    });
  }

  // ---- DOM and formatting helpers ----

  /** Creates an element; string children become text nodes (never HTML). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value == null || value === false) continue;
      if (name === 'class') el.className = value;
      else if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child != null && child !== false) el.append(child instanceof Node ? child : String(child));
    }
    return el;
  }

  const byId = (id) => document.getElementById(id);
  const intFormat = new Intl.NumberFormat('en-US');
  const fmtInt = (n) => (n == null ? '—' : intFormat.format(n));
  const plural = (n, word) => `${fmtInt(n)} ${word}${n === 1 ? '' : 's'}`;

  function fmtRate(perSecond) {
    if (perSecond == null) return '—';
    return `${perSecond >= 100 ? fmtInt(Math.round(perSecond)) : perSecond.toFixed(1)}/s`;
  }

  function fmtBytes(bytes) {
    if (bytes == null) return '—';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
    return unit === 0 ? `${fmtInt(value)} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
  }

  /** "12 s ago" for an ISO time. */
  function fmtAgo(iso) {
    const time = Date.parse(iso);
    if (Number.isNaN(time)) return '—';
    const seconds = Math.round((Date.now() - time) / 1000);
    if (seconds < 1) return 'just now';
    if (seconds < 120) return `${seconds} s ago`;
    if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`;
    if (seconds < 172800) return `${Math.round(seconds / 3600)} h ago`;
    return `${Math.round(seconds / 86400)} d ago`;
  }

  /** Local time as "YYYY-MM-DD HH:MM:SS.mmm" (ISO 8601 order, the viewer's zone). */
  function fmtLocalTime(ms) {
    if (ms == null || Number.isNaN(ms)) return '—';
    const d = new Date(ms);
    const p = (n, w = 2) => String(n).padStart(w, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
  }

  const isoOrEmpty = (ms) => (ms == null || Number.isNaN(ms) ? '' : new Date(ms).toISOString());

  function badge(text, tone) {
    return h('span', { class: `badge ${tone || ''}` }, text);
  }

  function loading(text) {
    return h('p', { class: 'muted loading' }, text || 'Loading…');
  }

  function errorBox(error, title) {
    return h('div', { class: 'error-box', role: 'alert' },
      h('strong', {}, title || error.type || 'Error'), ' ', error.message);
  }

  /** A two-column list of label/value pairs. */
  function keyValues(pairs) {
    return h('dl', { class: 'kv' }, pairs.filter(Boolean).map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]));
  }

  function table(headers, rows, className) {
    return h('div', { class: 'table-scroll' },
      h('table', { class: `data ${className || ''}` },
        h('thead', {}, h('tr', {}, headers.map((header) => h('th', { class: header.num ? 'num' : null }, header.label || header)))),
        h('tbody', {}, rows)));
  }

  /** JSON text pretty-printed when it parses; `undefined` when it is not a JSON object or array. */
  function parseJSONValue(text) {
    if (typeof text !== 'string' || !/^\s*[[{]/.test(text)) return undefined;
    try { return JSON.parse(text); } catch { return undefined; }
  }

  /** A collapsible JSON block: a one-line preview, the pretty form inside. */
  function jsonDetails(value, open) {
    const compact = JSON.stringify(value);
    const details = h('details', { class: 'json' },
      h('summary', {}, compact.length > 160 ? `${compact.slice(0, 160)}…` : compact),
      h('pre', { class: 'code' }, JSON.stringify(value, null, 2)));
    details.open = Boolean(open);
    return details;
  }

  /** A value that may be JSON text: pretty when it is, as text otherwise. */
  function textOrJSON(text, open) {
    if (text == null) return h('span', { class: 'null' }, 'null');
    const parsed = parseJSONValue(text);
    return parsed === undefined ? h('pre', { class: 'code' }, text) : jsonDetails(parsed, open);
  }

  // ---- API ----

  class ApiError extends Error {
    constructor(message, status, type) {
      super(message);
      this.status = status;
      this.type = type;
    }
  }

  /** The reason of an error body `{"error": {"type", "reason", "root_cause"}, "status"}`. */
  function errorReason(body) {
    const error = body && body.error;
    if (!error) return null;
    if (typeof error === 'string') return error;
    const root = Array.isArray(error.root_cause) && error.root_cause[0] && error.root_cause[0].reason;
    const reason = error.reason || root || error.type;
    return root && reason !== root ? `${reason}: ${root}` : reason;
  }

  /** GET (or POST with `json`) a JSON endpoint; throws ApiError with the server's reason. */
  async function api(path, options = {}) {
    const init = { headers: { Accept: 'application/json' } };
    if (options.json !== undefined) {
      init.method = 'POST';
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(options.json);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (error) {
      throw new ApiError(`cannot reach the console (${error.message})`, 0, 'Network error');
    }
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch { /* not JSON: reported below */ }
    if (!response.ok) {
      const type = body && body.error && body.error.type;
      throw new ApiError(errorReason(body) || `HTTP ${response.status} ${response.statusText}`, response.status, type || `HTTP ${response.status}`);
    }
    if (body === null) throw new ApiError('the answer was not JSON', response.status, 'Bad answer');
    return body;
  }

  // ---- Live updates: one EventSource for all pages ----

  const live = { source: null, retry: null };

  function setLive(state) {
    const el = byId('live');
    el.dataset.state = state;
    el.querySelector('.live-text').textContent = state;
  }

  function connectStream() {
    if (!('EventSource' in window)) { setLive('offline'); return; }
    const source = new EventSource('/api/v1/stream');
    live.source = source;
    setLive('connecting');
    source.onopen = () => setLive('live');
    source.onerror = () => {
      // EventSource retries by itself unless the server refused the stream (then readyState is CLOSED).
      if (source.readyState === EventSource.CLOSED) {
        setLive('offline');
        clearTimeout(live.retry);
        live.retry = setTimeout(connectStream, 5000);
      } else {
        setLive('reconnecting');
      }
    };
    source.addEventListener('answers', (event) => {
      const data = parseEvent(event);
      if (data) answersPage.receive(data, true);
    });
    source.addEventListener('pipeline', (event) => {
      const data = parseEvent(event);
      if (data) pipelinePage.receive(data);
    });
  }

  function parseEvent(event) {
    setLive('live');
    try { return JSON.parse(event.data); } catch { return null; }
  }

  // ---- Page 1: answers ----

  const answersPage = {
    data: null,
    range: 'all',

    init() {
      for (const button of document.querySelectorAll('#range-buttons button')) {
        button.addEventListener('click', () => this.setRange(button.dataset.range));
      }
      byId('range-from').addEventListener('change', () => this.render());
      byId('range-to').addEventListener('change', () => this.render());
    },

    enter() { this.render(); },

    async load() {
      try {
        this.receive(await api('/api/v1/answers'), false);
      } catch (error) {
        if (!this.data) byId('answers-asof').replaceChildren(errorBox(error, 'Answers unavailable:'));
      }
    },

    /** New answers: pushed ones always win; a fetched one only when newer than what is shown. */
    receive(data, pushed) {
      if (!pushed && this.data && this.data.version >= data.version) return;
      this.data = data;
      if (currentPage === 'answers') this.render();
    },

    setRange(range) {
      this.range = range;
      for (const button of document.querySelectorAll('#range-buttons button')) {
        button.setAttribute('aria-pressed', String(button.dataset.range === range));
      }
      byId('custom-range').hidden = range !== 'custom';
      if (range === 'custom' && this.data && !byId('range-from').value && !byId('range-to').value) {
        // Start the custom range from the current selection's neighbourhood: the last 26 weeks.
        const { lastWeek } = this.bounds();
        if (lastWeek != null) {
          byId('range-from').value = Charts.isoFromDay(lastWeek - 25 * 7);
          byId('range-to').value = Charts.isoFromDay(lastWeek);
        }
      }
      this.render();
    },

    /** Both series as {week, value, total}. */
    series() {
      const q1 = (this.data.q1 || []).map((e) => ({ week: String(e.week_start).slice(0, 10), value: e.sites_registered, total: e.sites_total }));
      const q2 = (this.data.q2 || []).map((e) => ({ week: String(e.week_start).slice(0, 10), value: e.new_admins, total: e.admins_total }));
      return { q1, q2 };
    },

    /** The first and last week with data in either series (day numbers; null when empty). */
    bounds() {
      const { q1, q2 } = this.series();
      const firsts = [q1, q2].filter((s) => s.length).map((s) => Charts.dayFromISO(s[0].week));
      const lasts = [q1, q2].filter((s) => s.length).map((s) => Charts.dayFromISO(s[s.length - 1].week));
      return { firstWeek: firsts.length ? Math.min(...firsts) : null, lastWeek: lasts.length ? Math.max(...lasts) : null };
    },

    /**
     * The weeks shown (both charts share them, so they line up) and the `from`/`to` filter (week starts,
     * inclusive, as the CSV endpoint takes them; null = open).
     */
    selectedRange() {
      const { firstWeek, lastWeek } = this.bounds();
      if (this.range === 'all') return { startWeek: firstWeek, endWeek: lastWeek, from: null, to: null };
      if (this.range === 'custom') {
        const from = byId('range-from').value || null;
        const to = byId('range-to').value || null;
        const fromDay = from ? Charts.dayFromISO(from) : firstWeek;
        const toDay = to ? Charts.dayFromISO(to) : lastWeek;
        const firstMonday = fromDay == null ? null : Charts.mondayOf(fromDay) + (Charts.mondayOf(fromDay) < fromDay ? 7 : 0);
        return { startWeek: firstMonday, endWeek: toDay == null ? null : Charts.mondayOf(toDay), from, to };
      }
      // Last N weeks, ending with the week of `as_of` (or a later week with data).
      const weeks = Number(this.range);
      const asOf = Date.parse(this.data.as_of);
      const nowWeek = Charts.mondayOf(Math.floor((Number.isNaN(asOf) ? Date.now() : asOf) / 86400000));
      const endWeek = Math.max(nowWeek, lastWeek == null ? nowWeek : lastWeek);
      const startWeek = endWeek - (weeks - 1) * 7;
      return { startWeek, endWeek, from: Charts.isoFromDay(startWeek), to: Charts.isoFromDay(endWeek) };
    },

    render() {
      if (!this.data || currentPage !== 'answers') return;
      const { q1, q2 } = this.series();
      const range = this.selectedRange();
      this.renderSeries('q1', q1, range, { valueLabel: 'Sites registered', totalLabel: 'Sites in total', column: 'registered' });
      this.renderSeries('q2', q2, range, { valueLabel: 'New admins', totalLabel: 'Admins in total', column: 'new admins' });
      const asOf = Date.parse(this.data.as_of);
      byId('answers-asof').textContent = `As of ${fmtLocalTime(asOf).slice(0, 19)} (your time) · data version ${this.data.version}`;
      byId('answers-asof').title = this.data.as_of || '';
      document.body.dataset.answersVersion = String(this.data.version);
      document.body.dataset.answersRendered = 'true';
    },

    renderSeries(id, series, range, labels) {
      const inRange = (e) => (!range.from || e.week >= range.from) && (!range.to || e.week <= range.to);
      const entries = series.filter(inRange);
      const svg = byId(`${id}-chart`);
      Charts.drawWeeklyChart(svg, {
        entries,
        startWeek: range.startWeek,
        endWeek: range.endWeek,
        valueLabel: labels.valueLabel,
        totalLabel: labels.totalLabel,
        tooltip: svg.parentElement.querySelector('.tooltip'),
        emptyText: series.length ? 'No weeks with data in this range' : 'No data yet',
      });

      const rows = entries.slice().reverse().map((e) => h('tr', {},
        h('td', {}, e.week), h('td', { class: 'num' }, fmtInt(e.value)), h('td', { class: 'num' }, fmtInt(e.total))));
      byId(`${id}-table`).querySelector('tbody').replaceChildren(...rows);

      const query = `${range.from ? `&from=${range.from}` : ''}${range.to ? `&to=${range.to}` : ''}`;
      byId(`${id}-csv`).href = `/api/v1/answers/${id}?format=csv${query}`;

      const sum = entries.reduce((s, e) => s + e.value, 0);
      const last = series.length ? series[series.length - 1].total : 0;
      byId(`${id}-summary`).textContent =
        `${fmtInt(sum)} ${labels.column} in ${plural(entries.length, 'week')} shown · ${fmtInt(last)} in total`;
    },
  };

  // ---- Page 2: pipeline ----

  function sourceProblems(source) {
    const problems = [];
    if (!source.connected) problems.push('not connected');
    if (source.alarm) problems.push(source.alarm);
    if (lagOverBudget(source)) problems.push(`slot lag ${fmtBytes(source.lag_bytes)} is over the budget of ${fmtBytes(source.lag_budget_bytes)}`);
    if ((source.unusable_tables || []).length) problems.push(`cannot capture ${source.unusable_tables.join(', ')}`);
    return problems;
  }

  function lagOverBudget(source) {
    return source.lag_bytes != null && source.lag_budget_bytes != null && source.lag_bytes > source.lag_budget_bytes;
  }

  function sinkProblems(sink) {
    const problems = [];
    if (!sink.ready) problems.push('not ready');
    if (sink.last_error) problems.push(sink.last_error);
    return problems;
  }

  /** Which box of the flow picture a component belongs to, by its name. */
  function flowNodeOf(componentName) {
    const name = String(componentName).toLowerCase();
    if (name.startsWith('source')) return 'capture';
    if (/sink|sqlite/.test(name)) return 'sink';
    if (/search|index/.test(name)) return 'search';
    if (/process|stream/.test(name)) return 'processor';
    return null;
  }

  const pipelinePage = {
    data: null,
    receivedAt: 0,
    openDetails: new Set(), // keys of <details> the user opened: kept across the per-second re-renders

    enter() {
      if (this.data) this.render();
      else byId('pipeline-body').replaceChildren(loading());
      this.load();
    },

    async load() {
      try {
        this.receive(await api('/api/v1/pipeline'));
      } catch (error) {
        if (!this.data) byId('pipeline-body').replaceChildren(errorBox(error, 'Pipeline unavailable:'));
      }
    },

    receive(data) {
      this.data = data;
      this.receivedAt = Date.now();
      if (currentPage === 'pipeline') this.render();
    },

    render() {
      const p = this.data;
      byId('pipeline-updated').textContent = `Updated ${fmtLocalTime(this.receivedAt).slice(11, 19)}`;
      this.renderStatus(p);
      this.renderFlow(p);
      byId('pipeline-body').replaceChildren(
        this.section('Components', this.componentsTable(p.components || [])),
        this.section('Sources', h('div', { class: 'card-grid' }, (p.sources || []).map((s) => this.sourceCard(s)))),
        this.section('Topics', this.topicsTable(p.topics || [])),
        this.section('Consumer groups', h('div', { class: 'card-grid wide' }, (p.consumers || []).map((c) => this.consumerCard(c)))),
        this.section('Sinks', h('div', { class: 'card-grid' }, (p.sinks || []).map((s) => this.sinkCard(s)), p.search ? this.searchCard(p.search) : null)),
      );
    },

    section(title, content) {
      return h('section', { class: 'panel' }, h('h2', {}, title), content);
    },

    problems(p) {
      const list = [];
      for (const c of p.components || []) if (!c.ready) list.push(`${c.name}: ${c.detail || 'not ready'}`);
      for (const s of p.sources || []) for (const problem of sourceProblems(s)) list.push(`source ${s.name}: ${problem}`);
      for (const s of p.sinks || []) for (const problem of sinkProblems(s)) list.push(`sink ${s.name}: ${problem}`);
      return [...new Set(list)];
    },

    renderStatus(p) {
      const banner = byId('pipeline-status');
      const problems = this.problems(p);
      banner.hidden = false;
      banner.className = `banner ${problems.length || !p.ready ? 'bad' : 'ok'}`;
      if (problems.length || !p.ready) {
        banner.replaceChildren(h('strong', {}, `Not ready — ${plural(problems.length, 'problem')}`), h('ul', {}, problems.map((text) => h('li', {}, text))));
      } else {
        banner.replaceChildren(h('strong', {}, 'All components ready'));
      }
    },

    renderFlow(p) {
      const sources = p.sources || [];
      const sinks = p.sinks || [];
      const consumers = p.consumers || [];
      const topics = p.topics || [];
      const state = { sources: 'ok', capture: 'ok', topics: 'ok', processor: 'ok', sink: 'ok', search: 'ok', console: 'ok' };
      if (sources.some((s) => !s.connected)) state.sources = 'bad';
      if (sources.some((s) => s.alarm || lagOverBudget(s) || (s.unusable_tables || []).length)) state.capture = 'bad';
      if (sinks.some((s) => sinkProblems(s).length)) state.sink = 'bad';
      if (p.search && p.search.rejected > 0) state.search = 'warn';
      for (const c of p.components || []) {
        const node = flowNodeOf(c.name);
        if (!c.ready && node) state[node] = 'bad';
      }
      const phases = [...new Set(sources.map((s) => s.phase))].join(', ');
      const stats = {
        sources: plural(sources.length, 'source'),
        capture: `${phases || '—'} · ${fmtRate(sources.reduce((n, s) => n + (s.events_per_second || 0), 0))}`,
        topics: `${plural(topics.length, 'topic')} · ${fmtRate(topics.reduce((n, t) => n + (t.records_per_second || 0), 0))}`,
        processor: `${plural(consumers.length, 'group')} · lag ${fmtInt(consumers.reduce((n, c) => n + (c.lag || 0), 0))}`,
        sink: `${fmtInt(sinks.reduce((n, s) => n + (s.records || 0), 0))} records`,
        search: `${fmtInt(p.search ? p.search.documents_indexed : null)} docs`,
      };
      for (const node of document.querySelectorAll('#pipeline-flow .flow-node')) {
        const name = node.dataset.node;
        node.dataset.state = state[name];
        if (stats[name]) node.querySelector('.flow-stat').textContent = stats[name];
      }
    },

    componentsTable(components) {
      return table(['Component', 'State', 'Detail'], components.map((c) => h('tr', { class: c.ready ? null : 'problem' },
        h('td', {}, c.name), h('td', {}, badge(c.ready ? 'ready' : 'not ready', c.ready ? 'ok' : 'bad')), h('td', { class: 'wrap' }, c.detail || ''))));
    },

    sourceCard(s) {
      const problems = sourceProblems(s);
      const over = lagOverBudget(s);
      return h('article', { class: `card${problems.length ? ' problem' : ''}` },
        h('header', { class: 'card-head' }, h('h3', {}, s.name), h('div', { class: 'badges' },
          badge(s.connected ? 'connected' : 'not connected', s.connected ? 'ok' : 'bad'),
          badge(s.phase || 'unknown', ''),
          s.alarm ? badge('alarm', 'bad') : null,
          over ? badge('lag over budget', 'bad') : null)),
        s.alarm ? h('p', { class: 'alarm' }, s.alarm) : null,
        s.detail ? h('p', { class: 'muted wrap' }, s.detail) : null,
        keyValues([
          ['Slot', h('code', {}, s.slot || '—')],
          ['Flushed LSN', h('code', {}, s.flushed_lsn || '—')],
          ['Last commit LSN', h('code', {}, s.last_commit_lsn || '—')],
          ['Lag', h('span', { class: over ? 'bad-text' : null }, s.lag_bytes == null
            ? `— (budget ${fmtBytes(s.lag_budget_bytes)})`
            : `${fmtBytes(s.lag_bytes)} of ${fmtBytes(s.lag_budget_bytes)} budget`)],
          ['Events', fmtInt(s.events)],
          ['Transactions', fmtInt(s.transactions)],
          ['Events/s', fmtRate(s.events_per_second)],
        ]),
        (s.snapshot || []).length ? h('div', { class: 'snapshot' }, h('h4', {}, 'Snapshot'), s.snapshot.map((t) => snapshotProgress(t))) : null,
        (s.unusable_tables || []).length
          ? h('div', { class: 'alarm' }, h('strong', {}, 'Tables that cannot be captured'), h('ul', {}, s.unusable_tables.map((t) => h('li', {}, t))))
          : null);
    },

    topicsTable(topics) {
      const num = (label) => ({ label, num: true });
      const headers = ['Topic', 'Cleanup', num('Partitions'), 'Offsets (start–end)', num('Records'), num('Size'), num('Records/s')];
      return table(headers, topics.map((t) => {
        const parts = t.partitions || [];
        const lines = parts.map((p) => h('div', {},
          `p${p.partition}: ${p.start_offset}–${p.end_offset} · ${fmtBytes(p.size_bytes)} · ${fmtRate(p.records_per_second)}`));
        const offsets = parts.length > 3 ? this.details(`topic:${t.name}`, `${parts.length} partitions`, lines) : lines;
        return h('tr', {},
          h('td', {}, h('a', { href: topicHref(t.name) }, t.name)),
          h('td', {}, t.cleanup || ''),
          h('td', { class: 'num' }, fmtInt(parts.length)),
          h('td', { class: 'small' }, offsets),
          h('td', { class: 'num' }, fmtInt(recordCount(t))),
          h('td', { class: 'num' }, fmtBytes(t.size_bytes)),
          h('td', { class: 'num' }, fmtRate(t.records_per_second)));
      }));
    },

    consumerCard(c) {
      const rows = (c.partitions || []).map((p) => h('tr', { class: p.lag > 0 ? 'lagging' : null },
        h('td', {}, p.topic), h('td', { class: 'num' }, p.partition), h('td', { class: 'num' }, fmtInt(p.committed)),
        h('td', { class: 'num' }, fmtInt(p.end)), h('td', { class: 'num' }, fmtInt(p.lag))));
      return h('article', { class: 'card' },
        h('header', { class: 'card-head' }, h('h3', {}, c.group),
          badge(c.lag > 0 ? `lag ${fmtInt(c.lag)}` : 'caught up', c.lag > 0 ? 'warn' : 'ok')),
        table(['Topic', { label: 'Part.', num: true }, { label: 'Committed', num: true }, { label: 'End', num: true }, { label: 'Lag', num: true }], rows));
    },

    sinkCard(s) {
      const problems = sinkProblems(s);
      return h('article', { class: `card${problems.length ? ' problem' : ''}` },
        h('header', { class: 'card-head' }, h('h3', {}, s.name), badge(s.ready ? 'ready' : 'not ready', s.ready ? 'ok' : 'bad')),
        keyValues([
          ['Path', h('code', { class: 'wrap' }, s.path || '—')],
          ['Last commit', s.last_commit ? h('span', { title: s.last_commit }, fmtAgo(s.last_commit)) : 'never'],
          ['Batches', fmtInt(s.batches)],
          ['Records', fmtInt(s.records)],
          ['Dead letters', s.dead_letters > 0 ? h('a', { href: '#/dead-letters', class: 'warn-text' }, fmtInt(s.dead_letters)) : fmtInt(s.dead_letters)],
          ['Last batch', s.last_batch_seconds == null ? '—' : `${(s.last_batch_seconds * 1000).toFixed(1)} ms`],
        ]),
        s.last_error ? h('div', { class: 'alarm' }, h('strong', {}, 'Last error: '), s.last_error) : null);
    },

    searchCard(search) {
      const rows = (search.indices || []).map((i) => h('tr', {}, h('td', {}, i.name), h('td', { class: 'num' }, fmtInt(i.documents))));
      return h('article', { class: 'card' },
        h('header', { class: 'card-head' }, h('h3', {}, 'search index'),
          search.rejected > 0 ? badge(`${fmtInt(search.rejected)} rejected`, 'warn') : badge('no rejections', 'ok')),
        keyValues([['Documents indexed', fmtInt(search.documents_indexed)], ['Rejected', fmtInt(search.rejected)]]),
        table(['Index', { label: 'Documents', num: true }], rows));
    },

    details(key, summary, content) {
      const details = h('details', {}, h('summary', {}, summary), content);
      details.open = this.openDetails.has(key);
      details.addEventListener('toggle', () => (details.open ? this.openDetails.add(key) : this.openDetails.delete(key)));
      return details;
    },
  };

  function snapshotProgress(t) {
    const percent = t.done ? 100 : t.estimate > 0 ? Math.min(99, (t.rows / t.estimate) * 100) : 0;
    const fill = h('div', { class: 'progress-fill' });
    fill.style.width = `${percent.toFixed(1)}%`;
    const text = t.done ? `done · ${fmtInt(t.rows)} rows` : `${fmtInt(t.rows)} of ~${fmtInt(t.estimate)} rows (${percent.toFixed(0)}%)`;
    return h('div', { class: 'snapshot-row' },
      h('div', { class: 'snapshot-label' }, h('code', {}, t.table), h('span', { class: 'muted' }, text)),
      h('div', {
        class: `progress${t.done ? ' done' : ''}`,
        role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(percent), 'aria-label': t.table,
      }, fill));
  }

  function recordCount(topic) {
    return (topic.partitions || []).reduce((n, p) => n + Math.max(0, p.end_offset - p.start_offset), 0);
  }

  // ---- Page 3: topics (a log browser) ----

  const PAGE_SIZE = 50;

  function topicHref(name, params) {
    const query = params ? `?${new URLSearchParams(params)}` : '';
    return `#/topics/${encodeURIComponent(name)}${query}`;
  }

  const topicsPage = {
    token: 0, // ignores answers to requests made before the latest navigation

    async enter(route) {
      const token = ++this.token;
      const body = byId('topics-body');
      this.setTitle(route.rest);
      body.replaceChildren(loading());
      let topics;
      try {
        topics = (await api('/api/v1/topics')).topics || [];
      } catch (error) {
        if (token === this.token) body.replaceChildren(errorBox(error, 'Topics unavailable:'));
        return;
      }
      if (token !== this.token) return;
      if (route.rest) this.renderTopic(token, route.rest, topics.find((t) => t.name === route.rest), route.query);
      else this.renderList(topics);
    },

    setTitle(name) {
      byId('topics-title').replaceChildren(...(name ? [h('a', { href: '#/topics' }, 'Topics'), ' / ', h('span', { class: 'topic-name' }, name)] : ['Topics']));
    },

    renderList(topics) {
      const headers = ['Topic', { label: 'Partitions', num: true }, { label: 'Records', num: true }, { label: 'Size', num: true }, { label: 'Records/s', num: true }];
      const rows = topics.map((t) => h('tr', {},
        h('td', {}, h('a', { href: topicHref(t.name) }, t.name)),
        h('td', { class: 'num' }, fmtInt((t.partitions || []).length)),
        h('td', { class: 'num' }, fmtInt(recordCount(t))),
        h('td', { class: 'num' }, fmtBytes(t.size_bytes)),
        h('td', { class: 'num' }, fmtRate(t.records_per_second))));
      byId('topics-body').replaceChildren(topics.length ? table(headers, rows) : h('p', { class: 'muted' }, 'No topics yet.'));
    },

    async renderTopic(token, name, meta, query) {
      const partitions = meta && meta.partitions && meta.partitions.length ? meta.partitions : [{ partition: 0, start_offset: 0, end_offset: 0 }];
      const requested = Number.parseInt(query.get('partition'), 10);
      const part = partitions.find((p) => p.partition === requested) || partitions[0];
      const key = query.get('key');
      const offsetParam = Number.parseInt(query.get('offset'), 10);
      const offset = Number.isNaN(offsetParam) ? Math.max(part.start_offset, part.end_offset - PAGE_SIZE) : Math.max(0, offsetParam);

      const status = h('p', { class: 'muted' }, 'Loading…');
      const list = h('div', { class: 'records' });
      const unknown = meta ? [] : [errorBox(new Error('this topic is not in the topic list (yet)'), 'Unknown topic:')];
      byId('topics-body').replaceChildren(...unknown, this.controls(name, partitions, part.partition, offset, key), status, list);

      try {
        if (key != null) {
          const found = await api(`/api/v1/topics/${encodeURIComponent(name)}/records?${new URLSearchParams({ key, limit: 20 })}`);
          if (token !== this.token) return;
          const records = found.records || [];
          status.replaceChildren(`${plural(records.length, 'record')} with key `, h('code', {}, key), ' (newest first)',
            found.partial ? h('span', { class: 'warn-text' }, ' · the search stopped at its scan limit: older records may exist') : '',
            ' · ', h('a', { href: topicHref(name, { partition: part.partition }) }, 'back to browsing'));
          list.replaceChildren(...records.map(recordView));
          return;
        }
        const page = await api(`/api/v1/topics/${encodeURIComponent(name)}/records?${new URLSearchParams({ partition: part.partition, offset, limit: PAGE_SIZE })}`);
        if (token !== this.token) return;
        this.updatePaging(name, part.partition, offset, page);
        const records = page.records || [];
        status.textContent = records.length
          ? `Partition ${page.partition}: offsets ${records[0].offset}–${records[records.length - 1].offset} of ${page.start_offset}–${page.end_offset - 1}`
          : page.end_offset > page.start_offset
            ? `No records from offset ${offset} (partition ${page.partition} holds ${page.start_offset}–${page.end_offset - 1})`
            : `Partition ${page.partition} is empty`;
        list.replaceChildren(...records.map(recordView));
      } catch (error) {
        if (token === this.token) { status.replaceChildren(errorBox(error)); list.replaceChildren(); }
      }
    },

    /** Partition and offset pickers, paging buttons and the find-by-key box. */
    controls(name, partitions, partition, offset, key) {
      const go = (params) => { location.hash = topicHref(name, params); };
      const select = h('select', { 'aria-label': 'Partition' },
        partitions.map((p) => h('option', { value: p.partition, selected: p.partition === partition }, `partition ${p.partition}`)));
      select.addEventListener('change', () => go({ partition: select.value }));
      const offsetInput = h('input', { type: 'number', min: 0, value: offset, class: 'offset-input', 'aria-label': 'Start offset' });
      const keyInput = h('input', { type: 'search', placeholder: 'Find by key', value: key || '', 'aria-label': 'Key' });
      this.paging = {
        oldest: h('button', { type: 'button', class: 'button', disabled: true }, '« Oldest'),
        older: h('button', { type: 'button', class: 'button', disabled: true }, '‹ Older'),
        newer: h('button', { type: 'button', class: 'button', disabled: true }, 'Newer ›'),
        latest: h('button', { type: 'button', class: 'button', disabled: true }, 'Latest »'),
      };
      const expand = h('button', { type: 'button', class: 'button', onclick: () => toggleAllDetails(byId('topics-body')) }, 'Expand / collapse all');
      return h('div', { class: 'topic-controls' },
        h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); go({ partition: select.value, offset: offsetInput.value || 0 }); } },
          select, h('label', {}, 'from offset ', offsetInput), h('button', { type: 'submit', class: 'button' }, 'Go'),
          h('span', { class: 'segmented' }, Object.values(this.paging)), expand),
        h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); if (keyInput.value) go({ key: keyInput.value }); } },
          keyInput, h('button', { type: 'submit', class: 'button' }, 'Find')));
    },

    updatePaging(name, partition, offset, page) {
      const go = (o) => () => { location.hash = topicHref(name, { partition, offset: o }); };
      const { oldest, older, newer, latest } = this.paging;
      const latestOffset = Math.max(page.start_offset, page.end_offset - PAGE_SIZE);
      oldest.disabled = older.disabled = offset <= page.start_offset;
      newer.disabled = page.next_offset >= page.end_offset;
      latest.disabled = offset === latestOffset;
      oldest.onclick = go(page.start_offset);
      older.onclick = go(Math.max(page.start_offset, offset - PAGE_SIZE));
      newer.onclick = go(page.next_offset);
      latest.onclick = go(latestOffset);
    },
  };

  function toggleAllDetails(container) {
    const all = [...container.querySelectorAll('details.json')];
    const open = !all.every((d) => d.open);
    for (const d of all) d.open = open;
  }

  /** One log record: offset, time, key and headers, then the value (pretty JSON when it is JSON). */
  function recordView(r) {
    const time = isoOrEmpty(r.timestamp);
    const base64 = r.encoding === 'base64';
    return h('article', { class: 'record' },
      h('div', { class: 'record-meta' },
        h('span', { class: 'offset' }, `#${r.offset}`),
        h('span', { class: 'muted' }, `p${r.partition}`),
        h('time', { datetime: time, title: time }, fmtLocalTime(r.timestamp)),
        h('span', { class: 'record-key' }, 'key ', r.key == null ? h('span', { class: 'null' }, 'null') : h('code', {}, r.key)),
        (r.headers || []).map((hd) => h('span', { class: 'chip' }, `${hd.name}=${hd.value}`)),
        base64 ? badge('base64', 'warn') : null),
      r.value == null ? h('div', { class: 'null' }, 'null value (tombstone)') : base64 ? h('pre', { class: 'code' }, r.value) : textOrJSON(r.value, false));
  }

  // ---- Page 4: dead letters ----

  const deadLettersPage = {
    init() { byId('dead-letters-refresh').addEventListener('click', () => this.load()); },

    enter() { this.load(); },

    async load() {
      const body = byId('dead-letters-body');
      body.replaceChildren(loading());
      try {
        const letters = (await api('/api/v1/dead-letters?limit=200')).dead_letters || [];
        body.replaceChildren(letters.length
          ? h('div', {}, h('p', { class: 'muted' }, `${plural(letters.length, 'dead letter')}${letters.length === 200 ? ' (the newest 200)' : ''}`),
            table(['When', 'Source', 'Topic / partition / offset', 'Key', 'Reason'], letters.flatMap((d) => this.rows(d)), 'clickable'))
          : h('p', { class: 'muted' }, 'No dead letters: every row was usable.'));
      } catch (error) {
        body.replaceChildren(errorBox(error, 'Dead letters unavailable:'));
      }
    },

    /** A summary row and a hidden detail row with the payload; a click (or Enter) toggles it. */
    rows(d) {
      const at = Date.parse(d.at);
      const detail = h('tr', { class: 'detail-row', hidden: true },
        h('td', { colspan: 5 }, h('div', { class: 'detail' },
          h('p', {}, h('strong', {}, 'Reason: '), d.reason),
          h('p', {}, h('strong', {}, 'Payload')), textOrJSON(d.payload, true))));
      const toggle = () => {
        detail.hidden = !detail.hidden;
        row.setAttribute('aria-expanded', String(!detail.hidden));
      };
      const onkeydown = (e) => {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(); }
      };
      const link = topicHref(d.topic, { partition: d.partition, offset: d.offset });
      const row = h('tr', { tabindex: 0, 'aria-expanded': 'false', onclick: toggle, onkeydown },
        h('td', { class: 'nowrap', title: d.at }, fmtLocalTime(at).slice(0, 19), h('div', { class: 'muted small' }, fmtAgo(d.at))),
        h('td', {}, d.source),
        h('td', {}, h('a', { href: link, onclick: (e) => e.stopPropagation() }, `${d.topic} / ${d.partition} / ${d.offset}`)),
        h('td', { class: 'ellipsis', title: d.key || '' }, d.key == null ? h('span', { class: 'null' }, 'null') : h('code', {}, d.key)),
        h('td', { class: 'wrap' }, d.reason));
      return [row, detail];
    },
  };

  // ---- Page 5: search ----

  const searchPage = {
    indicesLoaded: false,

    init() {
      byId('search-form').addEventListener('submit', (event) => { event.preventDefault(); this.run(); });
      byId('search-index').addEventListener('change', () => this.run());
    },

    async enter() {
      if (this.indicesLoaded) return;
      const body = byId('search-body');
      body.replaceChildren(loading('Loading indices…'));
      try {
        const indices = (await api('/api/v1/search/indices')).indices || [];
        byId('search-index').replaceChildren(...indices.map((i) => h('option', { value: i.name }, `${i.name} (${fmtInt(i.documents)} docs)`)));
        this.indicesLoaded = true;
        if (indices.length) this.run();
        else body.replaceChildren(h('p', { class: 'muted' }, 'No search indices yet.'));
      } catch (error) {
        body.replaceChildren(errorBox(error, 'Indices unavailable:'));
      }
    },

    async run() {
      const index = byId('search-index').value;
      const body = byId('search-body');
      if (!index) return;
      const text = byId('search-query').value.trim();
      const request = text
        ? { query: { simple_query_string: { query: text, default_operator: 'and' } }, size: 20 }
        : { query: { match_all: {} }, size: 20 };
      body.replaceChildren(loading('Searching…'));
      try {
        const answer = await api(`/api/v1/search/${encodeURIComponent(index)}`, { json: request });
        const hits = (answer.hits && answer.hits.hits) || [];
        const total = answer.hits && answer.hits.total;
        const count = total == null ? hits.length : typeof total === 'number' ? total : total.value;
        const atLeast = total && total.relation === 'gte' ? '≥ ' : '';
        body.replaceChildren(
          h('p', { class: 'muted' }, `${atLeast}${plural(count, 'hit')}`,
            answer.took != null ? ` · ${answer.took} ms` : '', hits.length < count ? ` · showing ${hits.length}` : ''),
          h('div', { class: 'hits' }, hits.map((hit) => h('article', { class: 'card hit' },
            h('header', { class: 'card-head' }, h('code', {}, hit._id),
              h('span', { class: 'muted' }, `score ${hit._score == null ? '—' : Number(hit._score).toFixed(3)}`)),
            h('pre', { class: 'code' }, JSON.stringify(hit._source, null, 2))))));
      } catch (error) {
        body.replaceChildren(errorBox(error, `Search failed (${error.type}):`));
      }
    },
  };

  // ---- Page 6: SQL ----

  const SQL_ERROR_TITLES = { read_only_violation: 'Rejected (read-only):', timeout: 'Timed out:', sql_error: 'SQL error:' };

  const sqlPage = {
    init() {
      byId('sql-form').addEventListener('submit', (event) => { event.preventDefault(); this.run(); });
      byId('sql-text').addEventListener('keydown', (event) => {
        if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') { event.preventDefault(); this.run(); }
      });
    },

    enter() { byId('sql-text').focus(); },

    async run() {
      const body = byId('sql-body');
      const button = byId('sql-form').querySelector('button[type=submit]');
      button.disabled = true;
      body.replaceChildren(loading('Running…'));
      try {
        const result = await api('/api/v1/sql', { json: { sql: byId('sql-text').value, max_rows: 1000 } });
        body.replaceChildren(this.result(result));
      } catch (error) {
        body.replaceChildren(errorBox(error, SQL_ERROR_TITLES[error.type]));
      } finally {
        button.disabled = false;
      }
    },

    result(r) {
      const rows = r.rows || [];
      const columns = r.columns || [];
      // A column whose values are all numbers (or NULL) is right-aligned.
      const numeric = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
      const isNumeric = columns.map((_, i) => rows.some((row) => row[i] != null) && rows.every((row) => row[i] == null || numeric.test(row[i])));
      const summary = h('p', { class: 'muted' }, `${plural(rows.length, 'row')} · ${r.elapsed_ms == null ? '—' : Number(r.elapsed_ms).toFixed(1)} ms`,
        r.truncated ? h('span', { class: 'badge warn' }, `truncated: only the first ${fmtInt(rows.length)} rows`) : null);
      const body = rows.map((row) => h('tr', {}, row.map((cell, i) => h('td', { class: isNumeric[i] ? 'num' : null },
        cell == null ? h('span', { class: 'null' }, 'NULL') : cell))));
      const headers = columns.map((name, i) => ({ label: name, num: isNumeric[i] }));
      return h('div', {}, summary, columns.length ? table(headers, body, 'sql-result') : null);
    },
  };

  // ---- Routing ----

  const pages = { answers: answersPage, pipeline: pipelinePage, topics: topicsPage, 'dead-letters': deadLettersPage, search: searchPage, sql: sqlPage };
  const titles = { answers: 'Answers', pipeline: 'Pipeline', topics: 'Topics', 'dead-letters': 'Dead letters', search: 'Search', sql: 'SQL' };
  let currentPage = null;

  /** "#/topics/a.b.c?partition=0" → {name: "topics", rest: "a.b.c", query: URLSearchParams}. */
  function parseHash() {
    const raw = location.hash.replace(/^#\/?/, '');
    const mark = raw.indexOf('?');
    const path = mark < 0 ? raw : raw.slice(0, mark);
    const slash = path.indexOf('/');
    let rest = slash < 0 ? '' : path.slice(slash + 1);
    try { rest = decodeURIComponent(rest); } catch { /* keep it as typed */ }
    return { name: slash < 0 ? path : path.slice(0, slash), rest, query: new URLSearchParams(mark < 0 ? '' : raw.slice(mark + 1)) };
  }

  function route() {
    const parsed = parseHash();
    if (!pages[parsed.name]) {
      history.replaceState(null, '', '#/answers');
      parsed.name = 'answers';
    }
    currentPage = parsed.name;
    for (const section of document.querySelectorAll('main > .page')) section.hidden = section.id !== `page-${currentPage}`;
    for (const link of document.querySelectorAll('.nav a')) {
      if (link.dataset.page === currentPage) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    document.title = `${titles[currentPage]} · moodle-pipeline`;
    pages[currentPage].enter(parsed);
  }

  function debounce(fn, ms) {
    let timer = null;
    return () => { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  function start() {
    setUpThemeToggle();
    answersPage.init();
    deadLettersPage.init();
    searchPage.init();
    sqlPage.init();
    window.addEventListener('hashchange', route);
    window.addEventListener('resize', debounce(() => answersPage.render(), 150));
    if (!location.hash) history.replaceState(null, '', '#/answers');
    route();
    answersPage.load();
    connectStream();
  }

  document.addEventListener('DOMContentLoaded', start);
})();

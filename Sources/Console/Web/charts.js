/* charts.js — hand-drawn SVG charts for the console (no library).
 *
 * Exposes `window.Charts`:
 *   Charts.drawWeeklyChart(svg, options)  bars per week + running-total line on a second axis
 *   Charts.dayFromISO / isoFromDay / mondayOf   week arithmetic on whole UTC days
 *
 * Weeks are named by their Monday ("YYYY-MM-DD"). The x axis is a continuous weekly time axis: a week
 * without an entry is an empty slot, so gaps show. Every entry gets exactly one <rect class="bar">
 * carrying data-week and data-value (the console's browser tests rely on them).
 */
'use strict';

(function () {
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const DAY_MS = 86400000;
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const MARGIN = { top: 14, right: 56, bottom: 40, left: 48 };
  const MIN_TICK_SPACING = 64; // px between x-axis labels
  const MAX_DOMAIN_WEEKS = 5300; // ~100 years: a wider custom range is clamped to the data
  const integerFormat = new Intl.NumberFormat('en-US');
  const compactFormat = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

  // ---- Dates as whole days since 1970-01-01 (UTC) ----

  function dayFromISO(text) {
    const [y, m, d] = String(text).slice(0, 10).split('-').map(Number);
    return Math.round(Date.UTC(y, m - 1, d) / DAY_MS);
  }

  function isoFromDay(day) {
    return new Date(day * DAY_MS).toISOString().slice(0, 10);
  }

  /** The Monday on or before `day` (1970-01-01 was a Thursday). */
  function mondayOf(day) {
    return day - (((day + 3) % 7) + 7) % 7;
  }

  function dateParts(day) {
    const date = new Date(day * DAY_MS);
    return { year: date.getUTCFullYear(), month: date.getUTCMonth(), date: date.getUTCDate() };
  }

  // ---- SVG helpers ----

  function svgEl(tag, attrs, text) {
    const el = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value != null) el.setAttribute(name, String(value));
    }
    if (text != null) el.textContent = String(text);
    return el;
  }

  /** A round step so that about `count` ticks cover 0…max (integers only: the data are counts). */
  function niceStep(max, count) {
    if (!(max > 0)) return 1;
    const raw = max / count;
    const magnitude = 10 ** Math.floor(Math.log10(raw));
    const norm = raw / magnitude;
    const nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10;
    return Math.max(1, nice * magnitude);
  }

  function linearAxis(max, count) {
    const step = niceStep(max, count);
    const top = Math.max(step, Math.ceil(max / step) * step);
    const ticks = [];
    for (let v = 0; v <= top + step / 2; v += step) ticks.push(v);
    return { top, ticks };
  }

  // ---- The time axis ----

  /** Candidate label intervals, finest first; the first that leaves enough room is used. */
  const TIME_INTERVALS = [
    { unit: 'week', every: 1, days: 7 },
    { unit: 'week', every: 2, days: 14 },
    { unit: 'month', every: 1, days: 30.4 },
    { unit: 'month', every: 3, days: 91.3 },
    { unit: 'month', every: 6, days: 182.6 },
    { unit: 'year', every: 1, days: 365.25 },
    { unit: 'year', every: 2, days: 730.5 },
    { unit: 'year', every: 5, days: 1826 },
    { unit: 'year', every: 10, days: 3652 },
  ];

  /** Days in [firstDay, endDay) where a label goes, each with the label's text lines. */
  function timeTicks(firstDay, endDay, pxPerDay) {
    const interval = TIME_INTERVALS.find((i) => i.days * pxPerDay >= MIN_TICK_SPACING) || TIME_INTERVALS[TIME_INTERVALS.length - 1];
    const days = [];
    if (interval.unit === 'week') {
      for (let day = mondayOf(firstDay); day < endDay; day += 7) {
        if (day >= firstDay && Math.floor((day - 4) / 7) % interval.every === 0) days.push(day);
      }
    } else {
      const start = dateParts(firstDay);
      let year = start.year;
      let month = interval.unit === 'year' ? 0 : start.month;
      for (;;) {
        const day = Math.round(Date.UTC(year, month, 1) / DAY_MS);
        if (day >= endDay) break;
        const aligned = interval.unit === 'year' ? year % interval.every === 0 : month % interval.every === 0;
        if (day >= firstDay && aligned) days.push(day);
        if (interval.unit === 'year') year += 1;
        else if (++month === 12) { month = 0; year += 1; }
      }
    }
    // First line: week "Mar 4" / month "Mar" / year "2024"; a second line names the year where it changes.
    let lastYear = null;
    return days.map((day) => {
      const p = dateParts(day);
      const first = interval.unit === 'week' ? `${MONTHS[p.month]} ${p.date}` : interval.unit === 'month' ? MONTHS[p.month] : String(p.year);
      const second = interval.unit !== 'year' && p.year !== lastYear ? String(p.year) : null;
      lastYear = p.year;
      return { day, lines: second ? [first, second] : [first] };
    });
  }

  // ---- The chart ----

  /**
   * Draws weekly bars and a running-total line into `svg` (its contents are replaced).
   *
   * options:
   *   entries     [{week: "YYYY-MM-DD", value: N, total: N}] ascending, already limited to the range
   *   startWeek   day number of the first Monday shown (null: the first entry's)
   *   endWeek     day number of the last Monday shown (null: the last entry's)
   *   valueLabel  tooltip label of the bar value, e.g. "Sites registered"
   *   totalLabel  tooltip label of the running total, e.g. "Sites in total"
   *   tooltip     an HTML element (absolutely positioned in the svg's parent) for hover details
   *   emptyText   what to say when there is nothing to draw
   */
  function drawWeeklyChart(svg, options) {
    const entries = options.entries || [];
    const width = Math.max(260, Math.floor(svg.parentElement.clientWidth || 600));
    const height = width < 520 ? 230 : 300;
    svg.replaceChildren();
    svg.setAttribute('width', width);
    svg.setAttribute('height', height);
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    hideTooltip(options.tooltip);

    const plot = { left: MARGIN.left, top: MARGIN.top, right: width - MARGIN.right, bottom: height - MARGIN.bottom };
    let startWeek = options.startWeek != null ? options.startWeek : entries.length ? dayFromISO(entries[0].week) : null;
    const endWeek = options.endWeek != null ? options.endWeek : entries.length ? dayFromISO(entries[entries.length - 1].week) : null;
    if (startWeek == null || endWeek == null || endWeek < startWeek) {
      drawEmpty(svg, plot, options.emptyText || 'No data yet');
      return;
    }
    if ((endWeek - startWeek) / 7 > MAX_DOMAIN_WEEKS && entries.length) startWeek = dayFromISO(entries[0].week);

    const weeks = (endWeek - startWeek) / 7 + 1;
    const step = (plot.right - plot.left) / weeks; // px per week
    const xOfDay = (day) => plot.left + ((day - startWeek) / 7) * step;
    const maxValue = entries.reduce((m, e) => Math.max(m, e.value), 0);
    const maxTotal = entries.reduce((m, e) => Math.max(m, e.total), 0);
    const left = linearAxis(maxValue, 5);
    const right = linearAxis(maxTotal, 5);
    const yLeft = (v) => plot.bottom - (v / left.top) * (plot.bottom - plot.top);
    const yRight = (v) => plot.bottom - (v / right.top) * (plot.bottom - plot.top);

    // Background: catches the pointer between bars (hover works over the whole plot).
    svg.append(svgEl('rect', { class: 'plot-bg', x: plot.left, y: plot.top, width: plot.right - plot.left, height: plot.bottom - plot.top, fill: 'transparent' }));
    drawValueAxes(svg, plot, left, right, yLeft, yRight);
    drawTimeAxis(svg, plot, timeTicks(startWeek, endWeek + 7, step / 7), xOfDay);

    const band = svgEl('rect', { class: 'hover-band', x: 0, y: plot.top, width: Math.max(1, step), height: plot.bottom - plot.top, visibility: 'hidden' });
    svg.append(band);

    // Bars: one per entry, at least 1px wide.
    const barWidth = Math.max(1, step >= 3 ? step * 0.78 : step);
    const bars = svgEl('g', { class: 'bars', 'shape-rendering': step < 4 ? 'crispEdges' : null });
    const byWeek = new Map();
    for (const entry of entries) {
      const day = dayFromISO(entry.week);
      const y = yLeft(entry.value);
      const rect = svgEl('rect', {
        class: 'bar',
        x: (xOfDay(day) + (step - barWidth) / 2).toFixed(2),
        y: y.toFixed(2),
        width: barWidth.toFixed(2),
        height: Math.max(0, plot.bottom - y).toFixed(2),
        'data-week': entry.week,
        'data-value': entry.value,
      });
      bars.append(rect);
      byWeek.set(day, { entry, rect });
    }
    svg.append(bars);
    svg.append(svgEl('path', { class: 'total-line', d: totalLinePath(entries, startWeek, endWeek, (day) => xOfDay(day) + step / 2, yRight), fill: 'none' }));
    if (!entries.length) drawEmptyNote(svg, plot, options.emptyText || 'No weeks with data in this range');

    attachHover(svg, options, { plot, step, startWeek, endWeek, byWeek, band, entries });
  }

  function drawEmpty(svg, plot, text) {
    svg.append(svgEl('line', { class: 'axis-line', x1: plot.left, x2: plot.right, y1: plot.bottom, y2: plot.bottom }));
    svg.append(svgEl('path', { class: 'total-line', d: '', fill: 'none' }));
    drawEmptyNote(svg, plot, text);
  }

  function drawEmptyNote(svg, plot, text) {
    svg.append(svgEl('text', { class: 'empty-note', x: (plot.left + plot.right) / 2, y: (plot.top + plot.bottom) / 2, 'text-anchor': 'middle' }, text));
  }

  function drawValueAxes(svg, plot, left, right, yLeft, yRight) {
    const grid = svgEl('g', { class: 'grid' });
    const leftLabels = svgEl('g', { class: 'axis axis-left', 'text-anchor': 'end' });
    for (const v of left.ticks) {
      const y = yLeft(v).toFixed(1);
      grid.append(svgEl('line', { x1: plot.left, x2: plot.right, y1: y, y2: y }));
      leftLabels.append(svgEl('text', { x: plot.left - 6, y, dy: '0.32em' }, compactFormat.format(v)));
    }
    const rightLabels = svgEl('g', { class: 'axis axis-right', 'text-anchor': 'start' });
    for (const v of right.ticks) {
      rightLabels.append(svgEl('text', { x: plot.right + 6, y: yRight(v).toFixed(1), dy: '0.32em' }, compactFormat.format(v)));
    }
    svg.append(grid, leftLabels, rightLabels);
    svg.append(svgEl('line', { class: 'axis-line', x1: plot.left, x2: plot.right, y1: plot.bottom, y2: plot.bottom }));
  }

  function drawTimeAxis(svg, plot, ticks, xOfDay) {
    const axis = svgEl('g', { class: 'axis axis-time', 'text-anchor': 'middle' });
    for (const tick of ticks) {
      const x = xOfDay(tick.day);
      if (x < plot.left - 0.5 || x > plot.right + 0.5) continue;
      axis.append(svgEl('line', { class: 'tick', x1: x.toFixed(1), x2: x.toFixed(1), y1: plot.bottom, y2: plot.bottom + 5 }));
      const text = svgEl('text', { x: x.toFixed(1), y: plot.bottom + 17 });
      tick.lines.forEach((line, i) => text.append(svgEl('tspan', { x: x.toFixed(1), dy: i === 0 ? 0 : '1.15em', class: i ? 'year' : null }, line)));
      axis.append(text);
    }
    svg.append(axis);
  }

  /** The running total as a line through week centres, flat across weeks without entries. */
  function totalLinePath(entries, startWeek, endWeek, xCenter, y) {
    if (!entries.length) return '';
    const points = [];
    let total = entries[0].total - entries[0].value; // the total before the range
    let previousDay = startWeek - 7;
    for (const entry of entries) {
      const day = dayFromISO(entry.week);
      if (!points.length && day > startWeek) points.push([xCenter(startWeek), y(total)]);
      if (day - 7 > previousDay && day - 7 > startWeek) points.push([xCenter(day - 7), y(total)]);
      points.push([xCenter(day), y(entry.total)]);
      total = entry.total;
      previousDay = day;
    }
    if (previousDay < endWeek) points.push([xCenter(endWeek), y(total)]);
    return points.map(([x, yy], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${yy.toFixed(1)}`).join('');
  }

  // ---- Hover ----

  function attachHover(svg, options, chart) {
    const tooltip = options.tooltip;
    let active = null;
    const clear = () => {
      if (active) active.classList.remove('active');
      active = null;
      chart.band.setAttribute('visibility', 'hidden');
      hideTooltip(tooltip);
    };
    svg.onpointerleave = clear;
    svg.onpointermove = svg.onpointerdown = (event) => {
      const box = svg.getBoundingClientRect();
      const x = event.clientX - box.left;
      const index = Math.floor((x - chart.plot.left) / chart.step);
      const day = chart.startWeek + index * 7;
      if (x < chart.plot.left || x > chart.plot.right || day > chart.endWeek) { clear(); return; }
      const hit = chart.byWeek.get(day);
      if (active && (!hit || hit.rect !== active)) active.classList.remove('active');
      active = hit ? hit.rect : null;
      if (active) active.classList.add('active');
      chart.band.setAttribute('x', (chart.plot.left + index * chart.step).toFixed(2));
      chart.band.setAttribute('visibility', 'visible');
      const value = hit ? hit.entry.value : 0;
      const total = hit ? hit.entry.total : totalBefore(chart.entries, day);
      showTooltip(tooltip, svg, x, event.clientY - box.top, [
        ['Week of', isoFromDay(day)],
        [options.valueLabel || 'Value', integerFormat.format(value)],
        [options.totalLabel || 'Running total', integerFormat.format(total)],
      ]);
    };
  }

  /** The running total at the end of a week without an entry. */
  function totalBefore(entries, day) {
    let total = entries.length ? entries[0].total - entries[0].value : 0;
    for (const entry of entries) {
      if (dayFromISO(entry.week) > day) break;
      total = entry.total;
    }
    return total;
  }

  function showTooltip(tooltip, svg, x, y, rows) {
    if (!tooltip) return;
    tooltip.replaceChildren();
    for (const [label, value] of rows) {
      const row = document.createElement('div');
      const name = document.createElement('span');
      name.textContent = label;
      const strong = document.createElement('strong');
      strong.textContent = value;
      row.append(name, strong);
      tooltip.append(row);
    }
    tooltip.hidden = false;
    // Place it beside the pointer, on the left when it would overflow the chart's container.
    const wrap = tooltip.parentElement.getBoundingClientRect();
    const box = svg.getBoundingClientRect();
    const px = box.left - wrap.left + x;
    const py = box.top - wrap.top + y;
    const width = tooltip.offsetWidth;
    const left = px + 14 + width > wrap.width ? px - width - 14 : px + 14;
    tooltip.style.left = `${Math.max(0, left)}px`;
    tooltip.style.top = `${Math.max(0, py - tooltip.offsetHeight - 8)}px`;
  }

  function hideTooltip(tooltip) {
    if (tooltip) tooltip.hidden = true;
  }

  window.Charts = { drawWeeklyChart, dayFromISO, isoFromDay, mondayOf };
})();

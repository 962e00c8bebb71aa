// The browser side of a counterexample report (inlined by report/html.ts). It draws only what is
// on screen, onto one canvas over a scrolling spacer, so a 10,000-event trace stays responsive.
// Positions come precomputed from report/layout.ts; this script adds no layout of its own.
(() => {
  const t0 = performance.now();
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const L = data.layout;
  const events = data.events;
  const kinds = data.kinds;
  const highlight = data.highlight;

  const AXIS_H = 20;
  const CPU_HEAD_H = 20;
  const LANE_H = 22;
  const CPU_GAP_H = 1;

  // Lane geometry, the same as the DOM labels: per CPU a header row, then its lanes.
  const laneMid = new Array(L.lanes.length);
  let y = AXIS_H;
  let lastCpu = null;
  L.lanes.forEach((lane, i) => {
    if (lane.cpu !== lastCpu) {
      if (lastCpu !== null) y += CPU_GAP_H;
      y += CPU_HEAD_H;
      lastCpu = lane.cpu;
    }
    laneMid[i] = y + LANE_H / 2;
    y += LANE_H;
  });
  const contentH = y + CPU_GAP_H + 8;
  const lanesTop = AXIS_H;

  const scroller = document.getElementById('scroller');
  const spacer = document.getElementById('spacer');
  const canvas = document.getElementById('canvas');
  const overlay = document.getElementById('overlay');
  const tooltip = document.getElementById('tooltip');
  const details = document.getElementById('event-details');
  const labelW = document.getElementById('lane-labels').getBoundingClientRect().width;
  const ctx = canvas.getContext('2d');

  let zoom = 1;
  let selected = -1;
  let hovered = -1;
  let frame = 0;

  const colour = (flow) => (flow < 0 ? '#8a909c' : `hsl(${(flow * 137.508) % 360} 70% 40%)`);
  const markY = (i) => (L.lane[i] < 0 ? lanesTop : laneMid[L.lane[i]]);

  function sizeSpacer() {
    spacer.style.width = `${labelW + L.widthPx * zoom + 40}px`;
    spacer.style.height = `${contentH}px`;
  }

  /** First index into byX whose x is at least `x` (binary search). */
  function firstAt(x) {
    let lo = 0;
    let hi = L.byX.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (L.x[L.byX[mid]] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function shape(kind, sx, sy, fill) {
    ctx.fillStyle = fill;
    ctx.strokeStyle = fill;
    ctx.lineWidth = 1.5;
    switch (kind) {
      case 'arrive':
        ctx.beginPath();
        ctx.moveTo(sx - 5, sy - 5);
        ctx.lineTo(sx + 5, sy - 5);
        ctx.lineTo(sx, sy + 5);
        ctx.closePath();
        ctx.fill();
        return;
      case 'handle':
        ctx.beginPath();
        ctx.arc(sx, sy, 4.5, 0, Math.PI * 2);
        ctx.fill();
        return;
      case 'deliver':
        ctx.fillRect(sx - 4.5, sy - 4.5, 9, 9);
        return;
      case 'enqueue':
        ctx.strokeRect(sx - 4, sy - 4, 8, 8);
        return;
      case 'dispatch':
        ctx.beginPath();
        ctx.moveTo(sx, sy - 5);
        ctx.lineTo(sx + 4, sy);
        ctx.lineTo(sx, sy + 5);
        ctx.lineTo(sx - 4, sy);
        ctx.closePath();
        ctx.stroke();
        return;
      case 'batch':
      case 'softirq':
      case 'napi-poll':
        ctx.fillRect(sx - 5, sy - 8, 10, 3);
        ctx.fillRect(sx - 1, sy - 8, 2, 16);
        return;
      case 'drop':
      case 'policy-error':
        ctx.strokeStyle = '#d0021b';
        ctx.lineWidth = 2.5;
        ctx.beginPath();
        ctx.moveTo(sx - 5, sy - 5);
        ctx.lineTo(sx + 5, sy + 5);
        ctx.moveTo(sx + 5, sy - 5);
        ctx.lineTo(sx - 5, sy + 5);
        ctx.stroke();
        return;
      case 'stack':
        ctx.globalAlpha = 0.45;
        ctx.fillRect(sx - 1, sy - 7, 2, 14);
        ctx.globalAlpha = 1;
        return;
      case 'frag-hold':
      case 'reassembled':
        ctx.beginPath();
        ctx.moveTo(sx, sy - 6);
        ctx.lineTo(sx + 6, sy);
        ctx.lineTo(sx, sy + 6);
        ctx.lineTo(sx - 6, sy);
        ctx.closePath();
        if (kind === 'reassembled') ctx.fill();
        else ctx.stroke();
        return;
      default:
        ctx.beginPath();
        ctx.arc(sx, sy, 2.5, 0, Math.PI * 2);
        ctx.fill();
    }
  }

  function drawAxis(x0, x1, w) {
    ctx.fillStyle = '#fafbfc';
    ctx.fillRect(0, 0, w, AXIS_H);
    ctx.fillStyle = '#596273';
    ctx.font = '11px ui-monospace, monospace';
    let lastPx = -1e9;
    for (let k = 0; k < L.ticks.length; k++) {
      const [tx, ns] = L.ticks[k];
      if (tx < x0 - 200) continue;
      if (tx > x1) break;
      const px = tx * zoom - scroller.scrollLeft;
      if (px - lastPx < 90) continue;
      lastPx = px;
      ctx.fillRect(px, AXIS_H - 5, 1, 5);
      ctx.fillText(
        ns >= 1e6 ? `${(ns / 1e6).toFixed(3)} ms` : `${(ns / 1e3).toFixed(ns % 1000 ? 3 : 0)} µs`,
        px + 3,
        13,
      );
    }
  }

  function draw() {
    frame = 0;
    const w = scroller.clientWidth - labelW;
    const h = scroller.clientHeight;
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      canvas.style.width = `${w}px`;
      canvas.style.height = `${h}px`;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const sl = scroller.scrollLeft;
    const st = scroller.scrollTop;
    const x0 = sl / zoom;
    const x1 = (sl + w) / zoom;
    const sx = (x) => x * zoom - sl;
    const sy = (yy) => yy - st;

    // Lane bands: CPU headers and alternate thread rows.
    let prevCpu = null;
    L.lanes.forEach((lane, i) => {
      const top = sy(laneMid[i] - LANE_H / 2);
      if (lane.cpu !== prevCpu) {
        ctx.fillStyle = '#eef1f5';
        ctx.fillRect(0, top - CPU_HEAD_H, w, CPU_HEAD_H);
        prevCpu = lane.cpu;
      }
      ctx.fillStyle = i % 2 ? '#ffffff' : '#f7f8fa';
      ctx.fillRect(0, top, w, LANE_H);
    });

    // Snapshots and the end of the run: lines across every lane.
    const from = firstAt(x0 - 40);
    const to = firstAt(x1 + 40);
    for (let k = from; k < to; k++) {
      const i = L.byX[k];
      if (L.lane[i] >= 0) continue;
      ctx.fillStyle = kinds[L.kind[i]] === 'end' ? '#1d2330' : '#b8bec9';
      ctx.fillRect(sx(L.x[i]), AXIS_H, 1, h);
    }

    // Hand-offs: curves from the dispatching thread to where the packet is next handled.
    for (const [a, b, cross] of L.arrows) {
      const xa = L.x[a];
      const xb = L.x[b];
      if (Math.max(xa, xb) < x0 - 20 || Math.min(xa, xb) > x1 + 20) continue;
      const ax = sx(xa);
      const ay = sy(markY(a));
      const bx = sx(xb);
      const by = sy(markY(b));
      ctx.strokeStyle = cross ? '#e07b00' : '#b0b6c2';
      ctx.fillStyle = ctx.strokeStyle;
      ctx.lineWidth = cross ? 1.6 : 1;
      ctx.beginPath();
      ctx.moveTo(ax, ay);
      const bend = Math.min(40, Math.abs(bx - ax) / 2 + 10);
      ctx.bezierCurveTo(ax + bend, ay, bx - bend, by, bx - 6, by);
      ctx.stroke();
      ctx.beginPath();
      ctx.moveTo(bx - 6, by - 3.5);
      ctx.lineTo(bx - 1, by);
      ctx.lineTo(bx - 6, by + 3.5);
      ctx.fill();
    }

    // Marks.
    for (let k = from; k < to; k++) {
      const i = L.byX[k];
      if (L.lane[i] < 0) continue;
      const yy = sy(markY(i));
      if (yy < AXIS_H - 10 || yy > h + 10) continue;
      shape(kinds[L.kind[i]], sx(L.x[i]), yy, colour(L.flow[i]));
    }

    // Drops: the counter each one bumped.
    ctx.font = '10px ui-monospace, monospace';
    for (const [i, text] of L.labels) {
      if (L.x[i] < x0 - 100 || L.x[i] > x1) continue;
      ctx.fillStyle = '#b3261e';
      ctx.fillText(text, sx(L.x[i]) + 7, sy(markY(i)) - 4);
    }

    // The violation: its events joined by a line, ringed (DOM rings over the canvas, for tests and print).
    if (highlight.length > 1) {
      ctx.strokeStyle = 'rgba(208,2,27,.6)';
      ctx.lineWidth = 2;
      ctx.setLineDash([5, 4]);
      ctx.beginPath();
      highlight.forEach((i, n) => {
        const p = [sx(L.x[i]), sy(markY(i))];
        if (n === 0) ctx.moveTo(p[0], p[1]);
        else ctx.lineTo(p[0], p[1]);
      });
      ctx.stroke();
      ctx.setLineDash([]);
    }
    highlight.forEach((i, n) => {
      const ring = overlay.children[n];
      ring.style.left = `${sx(L.x[i])}px`;
      ring.style.top = `${sy(markY(i))}px`;
    });
    for (const [i, colourOf] of [
      [selected, '#1565c0'],
      [hovered, '#1d2330'],
    ]) {
      if (i < 0) continue;
      ctx.strokeStyle = colourOf;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(sx(L.x[i]), sy(markY(i)), 8, 0, Math.PI * 2);
      ctx.stroke();
    }
    drawAxis(x0, x1, w);
    drawOverview();
  }

  // The overview: the whole run in one strip (event density, the violation, the current view).
  const overview = document.getElementById('overview');
  const octx = overview.getContext('2d');
  let density = null;

  function drawOverview() {
    const w = overview.clientWidth;
    const h = overview.clientHeight;
    const dpr = window.devicePixelRatio || 1;
    if (overview.width !== Math.round(w * dpr)) {
      overview.width = Math.round(w * dpr);
      overview.height = Math.round(h * dpr);
      density = null;
    }
    octx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const scale = w / Math.max(1, L.widthPx);
    if (density === null) {
      density = new Array(Math.max(1, Math.ceil(w))).fill(0);
      for (const x of L.x) density[Math.min(density.length - 1, Math.floor(x * scale))] += 1;
    }
    const most = Math.max(1, ...density);
    octx.clearRect(0, 0, w, h);
    octx.fillStyle = '#8a9bb5';
    density.forEach((n, px) => {
      if (n > 0) octx.fillRect(px, h - 2 - (h - 6) * Math.sqrt(n / most), 1, (h - 6) * Math.sqrt(n / most));
    });
    octx.fillStyle = '#d0021b';
    for (const i of highlight) octx.fillRect(Math.floor(L.x[i] * scale) - 1, 0, 3, h);
    const view = scroller.clientWidth - labelW;
    octx.strokeStyle = '#1565c0';
    octx.lineWidth = 2;
    octx.strokeRect(
      (scroller.scrollLeft / zoom) * scale + 1,
      1,
      Math.max(4, (view / zoom) * scale - 2),
      h - 2,
    );
  }

  overview.addEventListener('click', (e) => {
    const rect = overview.getBoundingClientRect();
    const x = ((e.clientX - rect.left) / rect.width) * L.widthPx;
    scroller.scrollLeft = Math.max(0, x * zoom - (scroller.clientWidth - labelW) / 2);
  });

  const redraw = () => {
    if (!frame) frame = requestAnimationFrame(draw);
  };

  function fields(i) {
    const ev = events[i];
    const rows = [['#', String(i)]];
    for (const [k, v] of Object.entries(ev)) {
      if (k === 'netisr' && Array.isArray(v)) {
        rows.push([
          k,
          v
            .map(
              (r) =>
                `cpu ${r.cpu} ${r.proto} len ${r.lenPackets} wm ${r.watermarkPackets} q ${r.queued} h ${r.handled} d ${r.qdrops}`,
            )
            .join('\n'),
        ]);
      } else {
        rows.push([k, typeof v === 'object' ? JSON.stringify(v) : String(v)]);
      }
    }
    const lane = L.lane[i] >= 0 ? L.lanes[L.lane[i]] : null;
    if (lane) rows.push(['lane', `CPU ${lane.cpu} ${lane.label}`]);
    return rows;
  }

  function showDetails(i) {
    const table = document.createElement('table');
    for (const [k, v] of fields(i)) {
      const tr = table.insertRow();
      tr.insertCell().textContent = k;
      const td = tr.insertCell();
      td.textContent = v;
      td.style.whiteSpace = 'pre-wrap';
    }
    details.replaceChildren(table);
    details.dataset.event = String(i);
  }

  function hit(e) {
    const rect = scroller.getBoundingClientRect();
    const px = e.clientX - rect.left - labelW;
    const py = e.clientY - rect.top;
    if (px < 0 || py < AXIS_H) return -1;
    const cx = (px + scroller.scrollLeft) / zoom;
    const cy = py + scroller.scrollTop;
    let best = -1;
    let bestD = 100;
    for (let k = firstAt(cx - 10 / zoom); k < L.byX.length; k++) {
      const i = L.byX[k];
      if (L.x[i] > cx + 10 / zoom) break;
      const dx = (L.x[i] - cx) * zoom;
      const dy = L.lane[i] < 0 ? 0 : laneMid[L.lane[i]] - cy;
      const d = dx * dx + dy * dy;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  scroller.addEventListener('scroll', redraw, { passive: true });
  window.addEventListener('resize', redraw);
  scroller.addEventListener('mousemove', (e) => {
    const i = hit(e);
    if (i !== hovered) {
      hovered = i;
      redraw();
    }
    if (i < 0) {
      tooltip.hidden = true;
      return;
    }
    tooltip.textContent = fields(i)
      .slice(0, 14)
      .map(([k, v]) => `${k.padEnd(12)} ${v.length > 60 ? `${v.slice(0, 60)}…` : v}`)
      .join('\n');
    tooltip.hidden = false;
    tooltip.style.left = `${Math.min(e.clientX + 14, window.innerWidth - 470)}px`;
    tooltip.style.top = `${Math.min(e.clientY + 14, window.innerHeight - 260)}px`;
  });
  scroller.addEventListener('mouseleave', () => {
    tooltip.hidden = true;
    hovered = -1;
    redraw();
  });
  scroller.addEventListener('click', (e) => {
    const i = hit(e);
    if (i < 0) return;
    selected = i;
    showDetails(i);
    redraw();
  });

  function reveal(i) {
    const w = scroller.clientWidth - labelW;
    scroller.scrollLeft = Math.max(0, L.x[i] * zoom - w / 3);
    scroller.scrollTop = Math.max(0, markY(i) - scroller.clientHeight / 2);
  }

  function setZoom(z, keepCentre) {
    const w = scroller.clientWidth - labelW;
    const centre = (scroller.scrollLeft + w / 2) / zoom;
    zoom = Math.min(8, Math.max(0.02, z));
    sizeSpacer();
    if (keepCentre) scroller.scrollLeft = Math.max(0, centre * zoom - w / 2);
    redraw();
  }

  document.getElementById('zoom-in').addEventListener('click', () => setZoom(zoom * 1.5, true));
  document.getElementById('zoom-out').addEventListener('click', () => setZoom(zoom / 1.5, true));
  document.getElementById('zoom-fit').addEventListener('click', () => {
    setZoom((scroller.clientWidth - labelW - 40) / Math.max(1, L.widthPx), false);
    scroller.scrollLeft = 0;
  });
  const gotoViolation = () => {
    if (highlight.length > 0) {
      reveal(highlight[0]);
      selected = highlight[0];
      showDetails(selected);
      redraw();
    }
  };
  document.getElementById('goto-violation').addEventListener('click', gotoViolation);
  for (const b of document.querySelectorAll('#violating button')) {
    b.addEventListener('click', () => {
      const i = Number(b.dataset.event);
      reveal(i);
      selected = i;
      showDetails(i);
      redraw();
    });
  }
  document.getElementById('copy-replay').addEventListener('click', () => {
    const text = document.getElementById('replay').textContent;
    const select = () => window.getSelection().selectAllChildren(document.getElementById('replay'));
    if (navigator.clipboard) navigator.clipboard.writeText(text).catch(select);
    else select();
  });

  for (const i of highlight) {
    const ring = document.createElement('div');
    ring.className = 'violation-mark';
    ring.dataset.event = String(i);
    overlay.appendChild(ring);
  }

  // First view: the whole run when it fits at zoom 1 or more, else zoom 1 at the violation.
  sizeSpacer();
  const fit = (scroller.clientWidth - labelW - 40) / Math.max(1, L.widthPx);
  if (fit > 1) setZoom(Math.min(fit, 4), false);
  gotoViolation();
  draw();
  const renderMs = performance.now() - t0;
  document.body.dataset.renderMs = renderMs.toFixed(1);
  document.body.dataset.ready = 'true';
})();

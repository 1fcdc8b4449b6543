/*
 * Sweep status page: layout and SVG drawing of a launch's task-run DAG.
 *
 * Model: runs {run_id, task_id, state, attempt, predecessors, successors, …}.
 * Runs of a replicated task (run_id != task_id, e.g. 2_A, 2_B, 4_A_B, or several runs sharing a
 * task_id) form one "unit" drawn as a labelled container; every other run is a unit of its own.
 * Units are layered left-to-right by longest-path depth on the unit graph (the SWEEP task graph is
 * a DAG, so the unit graph is too; any cycle in bad data is broken rather than looping).
 * Within a layer units are ordered by a few barycenter sweeps to reduce crossings.
 * A group larger than COLLAPSE_AT members is drawn collapsed as a summary box with counts per
 * state until the user expands it (click / Enter / Space); big expanded groups use a grid.
 *
 * Everything from the API is written with textContent / setAttribute, never parsed as markup.
 * Exposes window.SweepDAG; module.exports under Node for tests.
 */
(function (root) {
  'use strict';

  var SVGNS = 'http://www.w3.org/2000/svg';
  var STATES = ['pending', 'scheduled', 'running', 'waiting', 'succeeded', 'failed', 'upstream_failed', 'cancelled', 'skipped'];
  var STATE_LABEL = {
    pending: 'pending', scheduled: 'scheduled', running: 'running', succeeded: 'succeeded',
    waiting: 'waiting', failed: 'failed', upstream_failed: 'upstream failed', cancelled: 'cancelled', skipped: 'skipped', unknown: 'unknown'
  };
  // A glyph per state so colour is never the only cue (plus the state written out in words).
  var STATE_ICON = {
    pending: '\u25CB', scheduled: '\u25F7', running: '\u25B6', succeeded: '\u2713',
    waiting: '\u23F8', failed: '\u2717', upstream_failed: '\u2298', cancelled: '\u25A0', skipped: '\u21B7', unknown: '?'
  };
  var FINISHED = { succeeded: 1, failed: 1, upstream_failed: 1, cancelled: 1, skipped: 1 };

  var NODE_W = 156, NODE_H = 46, ROW_GAP = 14, COL_GAP = 76;
  var GROUP_PAD = 10, GROUP_LABEL = 26, INNER_GAP_X = 12, INNER_GAP_Y = 8;
  var COLLAPSE_AT = 12, SUMMARY_W = 196;

  function normState(s) { return STATE_LABEL[s] ? s : 'unknown'; }

  function naturalCompare(a, b) {
    var ax = String(a).split(/(\d+)/), bx = String(b).split(/(\d+)/);
    for (var i = 0; i < Math.min(ax.length, bx.length); i++) {
      if (ax[i] === bx[i]) continue;
      var an = /^\d+$/.test(ax[i]), bn = /^\d+$/.test(bx[i]);
      if (an && bn) return parseInt(ax[i], 10) - parseInt(bx[i], 10);
      // replica suffixes: A < B < … < Z < AA (shorter first)
      if (ax[i].length !== bx[i].length && /^[A-Z_]+$/.test(ax[i] + bx[i])) return ax[i].length - bx[i].length;
      return ax[i] < bx[i] ? -1 : 1;
    }
    return ax.length - bx.length;
  }

  function isReplicaId(run) {
    return run.task_id != null && String(run.run_id) !== String(run.task_id);
  }

  /* Build units, edges and positions. expanded: Set of task ids whose big group is expanded. */
  function layout(runs, expanded) {
    expanded = expanded || new Set();
    var byId = new Map();
    runs.forEach(function (r) { byId.set(String(r.run_id), r); });

    // run edges, deduplicated, from both predecessors and successors lists
    var edgeKeys = new Set(), edges = [];
    function addEdge(a, b) {
      a = String(a); b = String(b);
      if (a === b || !byId.has(a) || !byId.has(b)) return;
      var k = a + '\u0000' + b;
      if (edgeKeys.has(k)) return;
      edgeKeys.add(k);
      edges.push([a, b]);
    }
    runs.forEach(function (r) {
      (r.predecessors || []).forEach(function (p) { addEdge(p, r.run_id); });
      (r.successors || []).forEach(function (s) { addEdge(r.run_id, s); });
    });

    // units
    var perTask = new Map();
    runs.forEach(function (r) {
      var t = r.task_id == null ? String(r.run_id) : String(r.task_id);
      if (!perTask.has(t)) perTask.set(t, []);
      perTask.get(t).push(r);
    });
    var units = [], unitOfRun = new Map(), unitByKey = new Map();
    runs.forEach(function (r) {
      var t = r.task_id == null ? String(r.run_id) : String(r.task_id);
      var members = perTask.get(t);
      var grouped = members.length > 1 || isReplicaId(r);
      var key = grouped ? 'g:' + t : 'r:' + r.run_id;
      var u = unitByKey.get(key);
      if (!u) {
        u = { key: key, kind: grouped ? 'group' : 'run', taskId: t, runs: [], order: units.length };
        unitByKey.set(key, u);
        units.push(u);
      }
      u.runs.push(r);
      unitOfRun.set(String(r.run_id), u);
    });
    units.forEach(function (u) {
      u.runs.sort(function (a, b) { return naturalCompare(a.run_id, b.run_id); });
      u.collapsed = u.kind === 'group' && u.runs.length > COLLAPSE_AT && !expanded.has(u.taskId);
      u.preds = new Set(); u.succs = new Set();
    });
    edges.forEach(function (e) {
      var a = unitOfRun.get(e[0]), b = unitOfRun.get(e[1]);
      if (a !== b) { a.succs.add(b); b.preds.add(a); }
    });

    // longest-path depth (Kahn); leftovers of a cycle get placed after everything else
    var indeg = new Map();
    units.forEach(function (u) { indeg.set(u, u.preds.size); u.depth = 0; });
    var queue = units.filter(function (u) { return indeg.get(u) === 0; });
    var seen = 0;
    while (queue.length) {
      var u = queue.shift(); seen++;
      u.succs.forEach(function (v) {
        v.depth = Math.max(v.depth, u.depth + 1);
        indeg.set(v, indeg.get(v) - 1);
        if (indeg.get(v) === 0) queue.push(v);
      });
    }
    if (seen < units.length) {
      var maxD = 0;
      units.forEach(function (u) { if (indeg.get(u) === 0) maxD = Math.max(maxD, u.depth); });
      units.forEach(function (u) { if (indeg.get(u) > 0) u.depth = maxD + 1; });
    }

    // sizes
    units.forEach(function (u) {
      if (u.kind === 'run') { u.w = NODE_W; u.h = NODE_H; return; }
      if (u.collapsed) {
        var present = STATES.filter(function (s) { return u.runs.some(function (r) { return r.state === s; }); });
        u.summaryStates = present.length ? present : ['pending'];
        u.w = SUMMARY_W;
        u.h = GROUP_LABEL + 14 + 18 * u.summaryStates.length + 18 + GROUP_PAD;
        return;
      }
      var n = u.runs.length;
      var cols = n <= 10 ? 1 : Math.ceil(Math.sqrt(n / 4));
      var rows = Math.ceil(n / cols);
      u.cols = cols; u.rows = rows;
      u.w = Math.max(SUMMARY_W, cols * NODE_W + (cols - 1) * INNER_GAP_X + 2 * GROUP_PAD);
      u.h = GROUP_LABEL + rows * NODE_H + (rows - 1) * INNER_GAP_Y + 2 * GROUP_PAD;
    });

    // layers + barycenter ordering
    var layers = [];
    units.forEach(function (u) { (layers[u.depth] = layers[u.depth] || []).push(u); });
    for (var d = 0; d < layers.length; d++) layers[d] = layers[d] || [];
    function reindex(layer) { layer.forEach(function (u, i) { u.idx = i; }); }
    layers.forEach(reindex);
    function bary(u, dir) {
      var nb = dir === 'down' ? u.preds : u.succs, s = 0, c = 0;
      nb.forEach(function (v) { s += v.idx / Math.max(1, layers[v.depth].length); c++; });
      return c ? s / c : null;
    }
    for (var pass = 0; pass < 4; pass++) {
      var down = pass % 2 === 0;
      for (var li = down ? 1 : layers.length - 2; down ? li < layers.length : li >= 0; li += down ? 1 : -1) {
        var layer = layers[li];
        layer.forEach(function (u) {
          var b = bary(u, down ? 'down' : 'up');
          u.key2 = b == null ? u.idx / Math.max(1, layer.length) : b;
        });
        layer.sort(function (a, b) { return a.key2 - b.key2 || a.order - b.order; });
        reindex(layer);
      }
    }

    // coordinates: columns left-to-right, each column centred vertically
    var MARGIN = 16, x = MARGIN, colHeights = [];
    layers.forEach(function (layer) {
      var h = 0;
      layer.forEach(function (u, i) { h += u.h + (i ? ROW_GAP : 0); });
      colHeights.push(h);
    });
    var totalH = Math.max.apply(null, colHeights.concat([NODE_H]));
    layers.forEach(function (layer, li) {
      var colW = Math.max.apply(null, layer.map(function (u) { return u.w; }).concat([NODE_W]));
      var y = MARGIN + (totalH - colHeights[li]) / 2;
      layer.forEach(function (u) {
        u.x = x + (colW - u.w) / 2; u.y = y;
        y += u.h + ROW_GAP;
      });
      x += colW + COL_GAP;
    });

    // run boxes (absolute); runs inside collapsed groups point at the group box
    var box = new Map();
    units.forEach(function (u) {
      if (u.kind === 'run') {
        box.set(String(u.runs[0].run_id), { x: u.x, y: u.y, w: u.w, h: u.h, unit: u });
      } else if (u.collapsed) {
        u.runs.forEach(function (r) { box.set(String(r.run_id), { x: u.x, y: u.y, w: u.w, h: u.h, unit: u, collapsed: true }); });
      } else {
        var innerW = u.cols * NODE_W + (u.cols - 1) * INNER_GAP_X;
        var ox = u.x + (u.w - innerW) / 2;
        u.runs.forEach(function (r, i) {
          var c = Math.floor(i / u.rows), rr = i % u.rows;
          var bx = ox + c * (NODE_W + INNER_GAP_X);
          box.set(String(r.run_id), {
            x: bx, y: u.y + GROUP_LABEL + GROUP_PAD + rr * (NODE_H + INNER_GAP_Y),
            w: NODE_W, h: NODE_H, unit: u,
            // in a multi-column grid, outside edges stop at the container's side (at the member's
            // row) instead of crossing the other members
            inX: u.cols > 1 ? u.x : bx, outX: u.cols > 1 ? u.x + u.w : bx + NODE_W
          });
        });
      }
    });

    // drawn edges: between boxes, deduplicated (a collapsed group gets one arrow per neighbour)
    var drawn = new Map();
    edges.forEach(function (e) {
      var a = box.get(e[0]), b = box.get(e[1]);
      if (!a || !b || a.unit === b.unit) return;
      var x1 = a.outX != null ? a.outX : a.x + a.w, y1 = a.y + a.h / 2;
      var x2 = b.inX != null ? b.inX : b.x, y2 = b.y + b.h / 2;
      var k = x1 + ',' + y1 + '>' + x2 + ',' + y2;
      if (!drawn.has(k)) drawn.set(k, { x1: x1, y1: y1, x2: x2, y2: y2, runs: [] });
      drawn.get(k).runs.push(e);
    });

    return {
      units: units, edges: edges, box: box, drawnEdges: Array.from(drawn.values()),
      width: Math.max(x - COL_GAP + MARGIN, 200), height: totalH + 2 * MARGIN,
      depthCount: layers.length
    };
  }

  function svgEl(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { if (attrs[k] != null) e.setAttribute(k, String(attrs[k])); });
    if (text != null) e.textContent = String(text);
    return e;
  }

  function truncate(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }

  function countStates(runs) {
    var c = {};
    runs.forEach(function (r) { var s = normState(r.state); c[s] = (c[s] || 0) + 1; });
    return c;
  }

  function runAria(r, extra) {
    var s = 'Run ' + r.run_id;
    if (r.task_id != null && String(r.task_id) !== String(r.run_id)) s += ', task ' + r.task_id;
    if (r.label) s += ' (' + r.label + ')';
    s += ', ' + STATE_LABEL[normState(r.state)];
    if (r.attempt > 1) s += ', attempt ' + r.attempt;
    if (extra) s += ', ' + extra;
    return s;
  }

  /*
   * DagView: owns one <svg>. opts: {onSelect(runId), onToggleGroup(taskId), progressOf(runId)}
   */
  function DagView(container, opts) {
    this.container = container;
    this.opts = opts || {};
    this.expanded = new Set();
    this.nodes = new Map(); // run_id -> <g>
    this.groups = new Map(); // task id -> {unit, g}
    this.runs = new Map();
    this.selected = null;
    this.model = null;
  }

  DagView.prototype.render = function (runs, title) {
    var self = this;
    var focusedRun = document.activeElement && document.activeElement.getAttribute &&
      document.activeElement.getAttribute('data-run-id');
    var focusedGroup = document.activeElement && document.activeElement.getAttribute &&
      document.activeElement.getAttribute('data-group-toggle');
    this.runs = new Map();
    runs.forEach(function (r) { self.runs.set(String(r.run_id), r); });
    var m = layout(runs, this.expanded);
    this.model = m;
    this.nodes = new Map();
    this.groups = new Map();

    var svg = svgEl('svg', {
      width: m.width, height: m.height, viewBox: '0 0 ' + m.width + ' ' + m.height,
      role: 'group', 'aria-labelledby': 'dag-svg-title', 'data-testid': 'dag-svg', class: 'dag-svg'
    });
    svg.appendChild(svgEl('title', { id: 'dag-svg-title' }, title || 'Task graph'));
    var defs = svgEl('defs');
    var marker = svgEl('marker', {
      id: 'dag-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 9, markerHeight: 9,
      markerUnits: 'userSpaceOnUse',
      orient: 'auto-start-reverse'
    });
    marker.appendChild(svgEl('path', { d: 'M0,0 L10,5 L0,10 z', class: 'dag-arrowhead' }));
    defs.appendChild(marker);
    svg.appendChild(defs);

    // group frames' backgrounds first, then the edges (so arrows into and out of a group's members stay
    // visible over the frame), then one <g> per unit in reading order (layer, then top to bottom), so
    // the Tab order follows the picture and a group's toggle comes right before its members
    var gFrames = svgEl('g', { class: 'dag-frames', 'aria-hidden': 'true' });
    var gEdges = svgEl('g', { class: 'dag-edges', 'aria-hidden': 'true' });
    var gNodes = svgEl('g', { class: 'dag-nodes' });
    svg.appendChild(gFrames); svg.appendChild(gEdges); svg.appendChild(gNodes);
    this._frames = gFrames;

    m.drawnEdges.forEach(function (e) {
      var x1 = e.x1, y1 = e.y1, x2 = e.x2 - 2, y2 = e.y2;
      var mx = (x1 + x2) / 2;
      if (x2 <= x1) mx = x1 + 30; // defensive: backwards edge
      var p = svgEl('path', {
        d: 'M' + x1 + ',' + y1 + ' C' + mx + ',' + y1 + ' ' + mx + ',' + y2 + ' ' + x2 + ',' + y2,
        class: 'dag-edge', 'marker-end': 'url(#dag-arrow)'
      });
      p.__runs = e.runs;
      gEdges.appendChild(p);
    });

    m.units.slice().sort(function (a, b) { return a.depth - b.depth || a.y - b.y; }).forEach(function (u) {
      var parent = gNodes;
      if (u.kind === 'group') {
        var g = svgEl('g', { class: 'dag-group', 'data-testid': 'dag-group', 'data-task-id': u.taskId });
        gNodes.appendChild(g);
        parent = g;
        self.groups.set(u.taskId, { unit: u, g: g });
        if (u.collapsed) self._drawSummary(u, g);
        else self._drawGroupFrame(u, g);
      }
      if (u.collapsed) return;
      u.runs.forEach(function (r) {
        var b = m.box.get(String(r.run_id));
        var node = self._drawNode(r, b);
        parent.appendChild(node);
        self.nodes.set(String(r.run_id), node);
      });
    });

    this.container.textContent = '';
    this.container.appendChild(svg);
    this.svg = svg;
    if (this.selected) this._markSelected(this.selected);
    if (focusedRun && this.nodes.has(focusedRun)) this.nodes.get(focusedRun).focus();
    else if (focusedGroup) {
      var t = svg.querySelector('[data-group-toggle="' + cssEscape(focusedGroup) + '"]');
      if (t) t.focus();
    }
    return m;
  };

  function cssEscape(s) {
    return (root && root.CSS && CSS.escape) ? CSS.escape(s) : String(s).replace(/["\\]/g, '\\$&');
  }

  DagView.prototype._activate = function (el, fn) {
    el.addEventListener('click', function (ev) { ev.preventDefault(); fn(); });
    el.addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter' || ev.key === ' ' || ev.key === 'Spacebar') { ev.preventDefault(); fn(); }
    });
  };

  DagView.prototype._drawNode = function (r, b) {
    var self = this;
    var st = normState(r.state);
    var g = svgEl('g', {
      class: 'dag-node state-' + st, transform: 'translate(' + b.x + ',' + b.y + ')',
      role: 'button', tabindex: 0, 'data-testid': 'dag-node', 'data-run-id': r.run_id,
      'data-task-id': r.task_id, 'data-state': st, 'aria-label': runAria(r), 'aria-pressed': 'false',
      'data-label': r.label || null
    });
    g.appendChild(svgEl('rect', { class: 'focus-ring', x: -4, y: -4, width: b.w + 8, height: b.h + 8, rx: 9 }));
    g.appendChild(svgEl('rect', { class: 'box', x: 0, y: 0, width: b.w, height: b.h, rx: 6 }));
    g.appendChild(svgEl('text', { class: 'icon', x: 10, y: 19, 'aria-hidden': 'true' }, STATE_ICON[st]));
    g.appendChild(svgEl('text', { class: 'run-id', x: 26, y: 19 }, truncate(r.run_id, 17)));
    g.appendChild(svgEl('text', { class: 'state-text', x: 10, y: 37 }, this._stateLine(r)));
    var tip = svgEl('title', null, runAria(r) + (r.description ? '\n' + r.description : ''));
    g.appendChild(tip);
    this._activate(g, function () { if (self.opts.onSelect) self.opts.onSelect(String(r.run_id)); });
    return g;
  };

  DagView.prototype._stateLine = function (r) {
    var s = STATE_LABEL[normState(r.state)];
    if (r.attempt > 1) s += ' \u00B7 try ' + r.attempt;
    var p = this.opts.progressOf ? this.opts.progressOf(String(r.run_id)) : null;
    if (p != null && r.state === 'running') s += ' \u00B7 ' + Math.round(p) + '%';
    return s;
  };

  DagView.prototype._drawGroupFrame = function (u, g) {
    var self = this;
    var frame = svgEl('rect', { class: 'group-box', x: u.x, y: u.y, width: u.w, height: u.h, rx: 10, 'data-group-frame': u.taskId });
    (this._frames || g).appendChild(frame);
    var c = countStates(u.runs);
    var done = 0; Object.keys(c).forEach(function (s) { if (FINISHED[s]) done += c[s]; });
    g.appendChild(svgEl('text', { class: 'group-label', x: u.x + GROUP_PAD, y: u.y + 18 },
      'task ' + truncate(u.taskId, 14) + ' \u00B7 ' + u.runs.length + ' replica' + (u.runs.length === 1 ? '' : 's') +
      ' \u00B7 ' + done + ' done'));
    if (u.runs.length > COLLAPSE_AT) {
      var t = svgEl('g', {
        class: 'group-toggle', role: 'button', tabindex: 0, 'aria-expanded': 'true',
        'data-testid': 'dag-group-toggle', 'data-group-toggle': u.taskId,
        'aria-label': 'Collapse the ' + u.runs.length + ' replicas of task ' + u.taskId,
        transform: 'translate(' + (u.x + u.w - 30) + ',' + (u.y + 4) + ')'
      });
      t.appendChild(svgEl('rect', { class: 'focus-ring', x: -3, y: -3, width: 28, height: 24, rx: 5 }));
      t.appendChild(svgEl('rect', { class: 'toggle-box', x: 0, y: 0, width: 22, height: 18, rx: 4 }));
      t.appendChild(svgEl('text', { x: 11, y: 13, 'text-anchor': 'middle', 'aria-hidden': 'true' }, '\u2212'));
      t.appendChild(svgEl('title', null, 'Collapse'));
      this._activate(t, function () { self.toggleGroup(u.taskId); });
      g.appendChild(t);
    }
  };

  DagView.prototype._drawSummary = function (u, g) {
    var self = this;
    g.textContent = '';
    var c = countStates(u.runs);
    var parts = STATES.concat(['unknown']).filter(function (s) { return c[s]; })
      .map(function (s) { return c[s] + ' ' + STATE_LABEL[s]; });
    var t = svgEl('g', {
      class: 'group-summary', role: 'button', tabindex: 0, 'aria-expanded': 'false',
      'data-testid': 'dag-group-toggle', 'data-group-toggle': u.taskId,
      'aria-label': 'Task ' + u.taskId + ', ' + u.runs.length + ' replicas: ' + parts.join(', ') + '. Expand.'
    });
    t.appendChild(svgEl('rect', { class: 'focus-ring', x: u.x - 4, y: u.y - 4, width: u.w + 8, height: u.h + 8, rx: 12 }));
    t.appendChild(svgEl('rect', { class: 'group-box collapsed', x: u.x, y: u.y, width: u.w, height: u.h, rx: 10 }));
    t.appendChild(svgEl('text', { class: 'group-label', x: u.x + GROUP_PAD, y: u.y + 18 },
      'task ' + truncate(u.taskId, 10) + ' \u00B7 ' + u.runs.length + ' replicas'));
    // stacked bar of states
    var bx = u.x + GROUP_PAD, bw = u.w - 2 * GROUP_PAD, by = u.y + GROUP_LABEL, acc = 0;
    STATES.concat(['unknown']).forEach(function (s) {
      if (!c[s]) return;
      var w = bw * c[s] / u.runs.length;
      t.appendChild(svgEl('rect', { class: 'bar state-' + s, x: bx + acc, y: by, width: Math.max(w, 1), height: 8 }));
      acc += w;
    });
    var y = by + 8 + 18;
    u.summaryStates.forEach(function (s) {
      t.appendChild(svgEl('text', { class: 'icon state-fg-' + s, x: bx, y: y, 'aria-hidden': 'true' }, STATE_ICON[s]));
      t.appendChild(svgEl('text', { class: 'summary-line', x: bx + 16, y: y }, (c[s] || 0) + ' ' + STATE_LABEL[s]));
      y += 18;
    });
    t.appendChild(svgEl('text', { class: 'expand-hint', x: bx, y: y + 2, 'aria-hidden': 'true' }, '\u25B8 show all ' + u.runs.length));
    t.appendChild(svgEl('title', null, 'Task ' + u.taskId + ': ' + parts.join(', ') + ' (click to expand)'));
    this._activate(t, function () { self.toggleGroup(u.taskId); });
    g.appendChild(t);
  };

  DagView.prototype.toggleGroup = function (taskId) {
    if (this.expanded.has(taskId)) this.expanded.delete(taskId); else this.expanded.add(taskId);
    if (this.opts.onToggleGroup) this.opts.onToggleGroup(taskId);
    this.render(Array.from(this.runs.values()), this.svg && this.svg.querySelector('title') ? this.svg.querySelector('title').textContent : null);
  };

  /* Apply a changed run in place. Returns false when the run is unknown (caller re-fetches). */
  DagView.prototype.updateRun = function (r) {
    var id = String(r.run_id);
    if (!this.runs.has(id)) return false;
    this.runs.set(id, r);
    var node = this.nodes.get(id);
    var st = normState(r.state);
    if (node) {
      node.setAttribute('data-state', st);
      node.setAttribute('class', 'dag-node state-' + st + (this.selected === id ? ' selected' : ''));
      node.setAttribute('aria-label', runAria(r));
      node.querySelector('text.icon').textContent = STATE_ICON[st];
      node.querySelector('text.state-text').textContent = this._stateLine(r);
      node.querySelector('title').textContent = runAria(r);
    }
    var tid = r.task_id == null ? null : String(r.task_id);
    var grp = tid != null && this.groups.get(tid);
    if (grp) {
      // keep the unit's run list current, then redraw its label or summary
      grp.unit.runs = grp.unit.runs.map(function (x) { return String(x.run_id) === id ? r : x; });
      if (grp.unit.collapsed) {
        var present = STATES.filter(function (s) { return grp.unit.runs.some(function (x) { return x.state === s; }); });
        if (present.length !== grp.unit.summaryStates.length) {
          // the summary box changes height: relayout everything
          this.render(Array.from(this.runs.values()), this.svg.querySelector('title').textContent);
          return true;
        }
        var hadFocus = grp.g.contains(document.activeElement);
        this._drawSummary(grp.unit, grp.g);
        if (hadFocus) grp.g.querySelector('[data-group-toggle]').focus();
      } else {
        var label = grp.g.querySelector('text.group-label');
        var c = countStates(grp.unit.runs), done = 0;
        Object.keys(c).forEach(function (s) { if (FINISHED[s]) done += c[s]; });
        if (label) label.textContent = 'task ' + truncate(grp.unit.taskId, 14) + ' \u00B7 ' + grp.unit.runs.length +
          ' replica' + (grp.unit.runs.length === 1 ? '' : 's') + ' \u00B7 ' + done + ' done';
      }
    }
    return true;
  };

  DagView.prototype._markSelected = function (runId) {
    var self = this;
    if (!this.svg) return;
    this.nodes.forEach(function (n, id) {
      var on = id === runId;
      n.setAttribute('aria-pressed', on ? 'true' : 'false');
      var cls = n.getAttribute('class').replace(/\s*selected\b/g, '');
      n.setAttribute('class', on ? cls + ' selected' : cls);
    });
    this.svg.querySelectorAll('.dag-edge').forEach(function (p) {
      var hit = (p.__runs || []).some(function (e) { return e[0] === runId || e[1] === runId; });
      p.setAttribute('class', hit ? 'dag-edge highlight' : 'dag-edge');
    });
    void self;
  };

  DagView.prototype.select = function (runId) {
    this.selected = runId == null ? null : String(runId);
    this._markSelected(this.selected);
  };

  DagView.prototype.focusRun = function (runId) {
    var n = this.nodes.get(String(runId));
    if (n) n.focus();
    return !!n;
  };

  var api = {
    layout: layout, DagView: DagView, STATES: STATES, STATE_LABEL: STATE_LABEL, STATE_ICON: STATE_ICON,
    FINISHED: FINISHED, naturalCompare: naturalCompare, COLLAPSE_AT: COLLAPSE_AT
  };
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  if (root) root.SweepDAG = api;
})(typeof window !== 'undefined' ? window : null);

/*
 * Sweep status page (static, no build step, no framework, no external assets).
 * Loads after sse.js (window.SweepSSE) and dag.js (window.SweepDAG). API: same origin, /api/v1/…
 *
 * Stable hooks for browser tests (id = data-testid unless noted):
 *   Sign-in      #signin-section, #signin-form, #signin-username, #signin-password, #signin-submit,
 *                #signin-error (role="alert", hidden when empty)
 *                #apikey-form, #apikey-input, #apikey-submit (API key sign-in, inside a <details>)
 *   Session      #current-user, #signout-button, #app-section (visible when signed in)
 *   Workflows    #workflow-list; items li[data-testid="workflow-item"][data-workflow-id]
 *                with button[data-testid="workflow-launch"] (selects it in the launch form) and
 *                button[data-testid="workflow-show-launches"]; #workflows-refresh, #workflows-more
 *   Launch form  #launch-form, #launch-workflow (select), #launch-input (textarea),
 *                #launch-submit, #launch-error (role="alert"; API error code in data-code, field in data-field)
 *   Launches     #launch-filter-state, #launch-filter-workflow, #launches-refresh, #launches-more,
 *                #launch-list (tbody); rows tr[data-testid="launch-row"][data-launch-id][data-state]
 *                with button[data-testid="launch-open"] and progress[data-testid="launch-progress"]
 *   Launch       #launch-detail, #detail-id, #launch-state (data-state), #launch-cancel, #detail-close,
 *                #detail-progress, #detail-output, #detail-error,
 *                #sse-status (data-state: idle|connecting|live|reconnecting|closed|error)
 *   DAG          #dag (container), svg[data-testid="dag-svg"] (data-version increments on each redraw),
 *                g[data-testid="dag-node"][data-run-id][data-task-id][data-state] (role=button),
 *                g[data-testid="dag-group"][data-task-id], g[data-testid="dag-group-toggle"][data-group-toggle]
 *   Run panel    #run-panel, #run-id, #run-state, #run-attempt, #run-input, #run-output, #run-error,
 *                #run-progress (ol of progress messages), #run-logs, #run-logs-refresh, #run-close
 *   Deep link    #launch=<launch_id> in the URL opens that launch.
 *
 * Security: every string from the API is written with textContent / setAttribute; nothing from the
 * API is ever parsed as HTML. Cookie-authenticated mutating requests carry X-Requested-With: sweep.
 */
(function () {
  'use strict';

  var SSE = window.SweepSSE, DAG = window.SweepDAG;
  var API = '/api/v1';
  var KEY_STORAGE = 'sweep.apiKey';
  var LAUNCH_STATES = { waiting: 1, running: 1, succeeded: 1, failed: 1, cancelled: 1 };
  var LAUNCH_DONE = { succeeded: 1, failed: 1, cancelled: 1 };
  var EVENT_STATE = {
    'task.scheduled': 'scheduled', 'task.started': 'running', 'task.succeeded': 'succeeded',
    'task.failed': 'failed', 'task.retrying': 'scheduled'
  };
  var LAUNCH_EVENT_STATE = {
    'launch.started': 'running', 'launch.succeeded': 'succeeded', 'launch.failed': 'failed',
    'launch.cancelled': 'cancelled'
  };

  var $ = function (id) { return document.getElementById(id); };

  var state = {
    user: null,
    apiKey: null,
    workflows: [], workflowsCursor: null,
    launchesCursor: null, launchesExtraPages: false,
    launch: null,        // full launch object being shown
    runs: new Map(),     // run_id -> run
    progress: new Map(), // run_id -> [{ts, percent, message}]
    staleRuns: new Set(), // run_ids whose state came from an event without their output/error
    selectedRun: null,
    stream: null,
    rerunWatch: null,
    dag: null,
    refetchTimer: null,
    pollTimer: null,
    openSeq: 0,
    lastEventId: null
  };

  /* ---------- small DOM helpers (text only) ---------- */
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v == null || v === false) return;
      if (k === 'text') e.textContent = String(v);
      else if (k === 'class') e.className = v;
      else if (k.slice(0, 2) === 'on' && typeof v === 'function') e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    });
    (children || []).forEach(function (c) {
      if (c == null) return;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }
  function setText(id, v) { var e = $(id); if (e) e.textContent = v == null || v === '' ? '\u2014' : String(v); }
  function show(id, on) { var e = typeof id === 'string' ? $(id) : id; if (e) e.hidden = !on; }
  function fmtTime(t) {
    if (!t) return '\u2014';
    var d = new Date(t);
    if (isNaN(d.getTime())) return String(t);
    return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }
  function fmtDuration(a, b) {
    if (!a) return '\u2014';
    var s = (b ? new Date(b) : new Date()) - new Date(a);
    if (isNaN(s)) return '\u2014';
    s = s / 1000;
    var str = s < 60 ? s.toFixed(s < 10 ? 2 : 1) + ' s' : Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
    return b ? str : str + ' (running)';
  }
  var MAX_SHOW = 200000;
  function fmtJSON(v) {
    if (v === undefined || v === null) return '(none)';
    var s = typeof v === 'string' ? v : JSON.stringify(v, null, 2);
    if (s.length > MAX_SHOW) s = s.slice(0, MAX_SHOW) + '\n\u2026 (' + (s.length - MAX_SHOW) + ' more characters not shown)';
    return s;
  }
  function setPre(id, v) { $(id).textContent = fmtJSON(v); }
  function announce(msg) { var s = $('page-status'); s.textContent = ''; setTimeout(function () { s.textContent = msg; }, 30); }

  /* ---------- API ---------- */
  function ApiError(status, code, message, field) {
    this.status = status; this.code = code; this.message = message; this.field = field;
  }
  ApiError.prototype = Object.create(Error.prototype);
  ApiError.prototype.name = 'ApiError';

  function authHeaders() {
    var h = {};
    if (state.apiKey) h.Authorization = 'Bearer ' + state.apiKey;
    return h;
  }

  // Numbers a double cannot hold (an integer past 2^53, a decimal of more than 17 significant digits, 1e400) keep
  // their exact text, as the server keeps them (README "Numbers are kept exactly"): JSON.parse's source access and
  // JSON.rawJSON (Chromium 114+, Firefox 135+) turn such a number into a raw JSON value that JSON.stringify writes
  // back verbatim, so the page shows it, and a launch input or signal payload typed here is sent, unchanged.
  // Without them a number shows as its double, as before.
  var keepsExactNumbers = typeof JSON.rawJSON === 'function';
  function exactNumber(key, value, context) {
    if (typeof value !== 'number' || !context || typeof context.source !== 'string') return value;
    var source = context.source;
    if (/^-?\d+$/.test(source)) return Number.isSafeInteger(value) ? value : JSON.rawJSON(source);
    var digits = source.replace(/[eE].*$/, '').replace(/[-.]/g, '').replace(/^0+/, '').replace(/0+$/, '');
    if (digits.length <= 17 && isFinite(value) && (value !== 0 || digits === '')) return value;
    return JSON.rawJSON(source);
  }
  function parseJSON(text) {
    // The reviver visits every value; only text with a run of 16 digits (or digits and a point) can need it.
    return keepsExactNumbers && /[0-9.]{16}|[eE][+-]?\d{3}/.test(text) ? JSON.parse(text, exactNumber) : JSON.parse(text);
  }

  async function api(method, path, opts) {
    opts = opts || {};
    var headers = Object.assign({ Accept: opts.accept || 'application/json' }, authHeaders());
    if (method !== 'GET' && method !== 'HEAD') headers['X-Requested-With'] = 'sweep';
    var body;
    if (opts.json !== undefined) { headers['Content-Type'] = 'application/json'; body = JSON.stringify(opts.json); }
    var res;
    try {
      res = await fetch(API + path, {
        method: method, headers: headers, body: body, credentials: 'same-origin', cache: 'no-store', signal: opts.signal
      });
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      throw new ApiError(0, 'network_error', 'Cannot reach the Sweep server. Check the connection and try again.');
    }
    if (!res.ok) {
      var code = 'http_' + res.status, message = 'Request failed (HTTP ' + res.status + ').', field;
      try {
        var j = JSON.parse(await res.text());
        if (j && j.error) {
          if (j.error.code) code = String(j.error.code);
          if (j.error.message) message = String(j.error.message);
          if (j.error.field) field = String(j.error.field);
        }
      } catch (e) { /* not JSON */ }
      if (res.status === 429) {
        var ra = res.headers.get('Retry-After');
        if (ra) message += ' Try again in ' + ra + ' s.';
      }
      var err = new ApiError(res.status, code, message, field);
      if (res.status === 401 && !opts.noAuthRedirect) onSessionLost();
      throw err;
    }
    if (res.status === 204 || res.status === 205) return null;
    if (opts.text) return res.text();
    var text = await res.text();
    if (!text) return null;
    try { return parseJSON(text); } catch (e) { return text; }
  }

  function items(listAnswer) {
    if (Array.isArray(listAnswer)) return { items: listAnswer, next: null };
    return { items: (listAnswer && listAnswer.items) || [], next: (listAnswer && listAnswer.next_cursor) || null };
  }

  function showError(boxId, err, extra) {
    var box = $(boxId);
    box.textContent = '';
    if (!err) { box.hidden = true; box.removeAttribute('data-code'); box.removeAttribute('data-field'); return; }
    var msg = err.message || String(err);
    box.appendChild(el('strong', { text: extra ? extra + ': ' : 'Error: ' }));
    box.appendChild(document.createTextNode(msg));
    if (err.code) {
      box.appendChild(document.createTextNode(' '));
      box.appendChild(el('code', { class: 'err-code', text: err.code }));
      box.setAttribute('data-code', err.code);
    }
    if (err.field) {
      box.appendChild(document.createTextNode(' at '));
      box.appendChild(el('code', { text: err.field }));
      box.setAttribute('data-field', err.field);
    } else box.removeAttribute('data-field');
    box.hidden = false;
  }

  /* ---------- authentication ---------- */
  function onSessionLost() {
    if (!state.user) return;
    stopStream();
    state.user = null;
    if (state.apiKey) { state.apiKey = null; try { sessionStorage.removeItem(KEY_STORAGE); } catch (e) { /* */ } }
    showSignIn({ message: 'Your session ended. Please sign in again.', code: 'unauthenticated' });
  }

  function showSignIn(err) {
    show('app-section', false);
    show('session-box', false);
    show('signin-section', true);
    showError('signin-error', err || null);
    stopPolling();
  }

  function showApp(me) {
    state.user = me;
    $('current-user').textContent = me && me.username ? me.username : '(unknown)';
    $('auth-mode').textContent = state.apiKey ? '(API key)' : '';
    show('signin-section', false);
    show('session-box', true);
    show('app-section', true);
    showError('signin-error', null);
    loadWorkflows(false);
    loadLaunches(false);
    startPolling();
    openFromHash();
  }

  async function checkMe() {
    try {
      var me = await api('GET', '/me', { noAuthRedirect: true });
      showApp(me || {});
    } catch (e) {
      if (e.status === 401 && state.apiKey) {
        state.apiKey = null;
        try { sessionStorage.removeItem(KEY_STORAGE); } catch (x) { /* */ }
        showSignIn({ message: 'The stored API key was not accepted.', code: e.code });
      } else if (e.status === 401) {
        showSignIn(null);
      } else {
        showSignIn(e);
      }
    }
  }

  async function onSignIn(ev) {
    ev.preventDefault();
    var u = $('signin-username'), p = $('signin-password');
    [u, p].forEach(function (i) { i.removeAttribute('aria-invalid'); });
    if (!u.value.trim() || !p.value) {
      var missing = !u.value.trim() ? u : p;
      missing.setAttribute('aria-invalid', 'true');
      showError('signin-error', { message: 'Enter your username and password.', code: 'missing_fields' });
      missing.focus();
      return;
    }
    var btn = $('signin-submit');
    btn.disabled = true; btn.setAttribute('aria-busy', 'true');
    try {
      state.apiKey = null;
      try { sessionStorage.removeItem(KEY_STORAGE); } catch (x) { /* */ }
      var r = await api('POST', '/auth/login', { json: { username: u.value.trim(), password: p.value }, noAuthRedirect: true });
      p.value = '';
      var me = (r && r.user) || null;
      if (!me) me = await api('GET', '/me', { noAuthRedirect: true });
      showApp(me);
      announce('Signed in.');
      $('main').focus();
    } catch (e) {
      var err = e;
      if (e.status === 401) err = { message: 'Wrong username or password.', code: e.code || 'invalid_credentials' };
      showError('signin-error', err);
      p.setAttribute('aria-invalid', 'true');
      p.focus();
      p.select();
    } finally {
      btn.disabled = false; btn.removeAttribute('aria-busy');
    }
  }

  async function onApiKey(ev) {
    ev.preventDefault();
    var k = $('apikey-input');
    var key = k.value.trim();
    if (!key) {
      k.setAttribute('aria-invalid', 'true');
      showError('signin-error', { message: 'Enter an API key.', code: 'missing_fields' });
      k.focus();
      return;
    }
    state.apiKey = key;
    try {
      var me = await api('GET', '/me', { noAuthRedirect: true });
      try { sessionStorage.setItem(KEY_STORAGE, key); } catch (x) { /* */ }
      k.value = ''; k.removeAttribute('aria-invalid');
      showApp(me || {});
      announce('Signed in with an API key.');
      $('main').focus();
    } catch (e) {
      state.apiKey = null;
      k.setAttribute('aria-invalid', 'true');
      showError('signin-error', e.status === 401 ? { message: 'That API key was not accepted.', code: e.code } : e);
      k.focus();
    }
  }

  async function onSignOut() {
    closeLaunch();
    var wasKey = !!state.apiKey;
    try {
      if (!wasKey) await api('POST', '/auth/logout', { noAuthRedirect: true });
    } catch (e) { /* signing out anyway */ }
    state.apiKey = null;
    try { sessionStorage.removeItem(KEY_STORAGE); } catch (x) { /* */ }
    state.user = null;
    $('workflow-list').textContent = '';
    $('launch-list').textContent = '';
    showSignIn(null);
    announce('Signed out.');
    $('signin-username').focus();
  }

  /* ---------- workflows ---------- */
  async function loadWorkflows(more) {
    try {
      var q = '?limit=100' + (more && state.workflowsCursor ? '&cursor=' + encodeURIComponent(state.workflowsCursor) : '');
      var r = items(await api('GET', '/workflows' + q));
      state.workflows = more ? state.workflows.concat(r.items) : r.items;
      state.workflowsCursor = r.next;
      renderWorkflows();
    } catch (e) {
      if (e.status !== 401) showError('launches-error', e, 'Could not load workflows');
    }
  }

  function wfId(w) { return w.workflow_id != null ? String(w.workflow_id) : (w.definition && w.definition.workflow_id != null ? String(w.definition.workflow_id) : '?'); }

  function renderWorkflows() {
    var list = $('workflow-list');
    list.textContent = '';
    state.workflows.forEach(function (w) {
      var id = wfId(w);
      var nTasks = w.definition && Array.isArray(w.definition.tasks) ? w.definition.tasks.length : null;
      var li = el('li', { 'data-testid': 'workflow-item', 'data-workflow-id': id, class: 'workflow-item' }, [
        el('div', { class: 'wf-main' }, [
          el('span', { class: 'wf-id', text: id }),
          el('span', { class: 'muted', text: ' v' + (w.version != null ? w.version : '?') +
            (nTasks != null ? ' \u00B7 ' + nTasks + ' task' + (nTasks === 1 ? '' : 's') : '') +
            (w.created_at ? ' \u00B7 ' + fmtTime(w.created_at) : '') })
        ]),
        el('div', { class: 'wf-actions' }, [
          el('button', { type: 'button', class: 'btn-secondary', 'data-testid': 'workflow-launch', 'aria-label': 'Launch ' + id,
            text: 'Launch\u2026', onclick: function () { $('launch-workflow').value = id; $('launch-input').focus(); } }),
          el('button', { type: 'button', class: 'btn-secondary', 'data-testid': 'workflow-show-launches', 'aria-label': 'Show launches of ' + id,
            text: 'Launches', onclick: function () { $('launch-filter-workflow').value = id; loadLaunches(false); $('launch-list').focus && $('launches-heading').scrollIntoView({ block: 'start' }); } })
        ])
      ]);
      list.appendChild(li);
    });
    show('workflows-empty', state.workflows.length === 0);
    show('workflows-more', !!state.workflowsCursor);

    // selects: launch form and the filter, preserving the current choice
    var sel = $('launch-workflow'), cur = sel.value;
    var fsel = $('launch-filter-workflow'), fcur = fsel.value;
    sel.textContent = '';
    if (!state.workflows.length) sel.appendChild(el('option', { value: '', text: '(no workflows)' }));
    while (fsel.options.length > 1) fsel.remove(1);
    state.workflows.forEach(function (w) {
      var id = wfId(w);
      sel.appendChild(el('option', { value: id, text: id }));
      fsel.appendChild(el('option', { value: id, text: id }));
    });
    if (cur && state.workflows.some(function (w) { return wfId(w) === cur; })) sel.value = cur;
    if (fcur) {
      if (!Array.prototype.some.call(fsel.options, function (o) { return o.value === fcur; })) fsel.appendChild(el('option', { value: fcur, text: fcur }));
      fsel.value = fcur;
    }
  }

  /* ---------- launching ---------- */
  async function onLaunch(ev) {
    ev.preventDefault();
    var ta = $('launch-input'), wid = $('launch-workflow').value;
    ta.removeAttribute('aria-invalid');
    showError('launch-error', null);
    if (!wid) { showError('launch-error', { message: 'Choose a workflow to launch.', code: 'missing_workflow' }); $('launch-workflow').focus(); return; }
    var body = {};
    var raw = ta.value.trim();
    if (raw) {
      try { body.input = parseJSON(raw); } catch (e) {
        ta.setAttribute('aria-invalid', 'true');
        showError('launch-error', { message: 'The input is not valid JSON: ' + e.message, code: 'invalid_json', field: '/input' });
        ta.focus();
        return;
      }
    }
    body.idempotency_key = newIdempotencyKey();
    var btn = $('launch-submit');
    btn.disabled = true; btn.setAttribute('aria-busy', 'true');
    try {
      var r = await api('POST', '/workflows/' + encodeURIComponent(wid) + '/launches', { json: body });
      announce('Launched ' + wid + (r && r.launch_id ? ' as ' + r.launch_id : '') + '.');
      loadLaunches(false);
      if (r && r.launch_id != null) openLaunch(String(r.launch_id), true);
    } catch (e) {
      if (e.field && /^\/input/.test(e.field)) ta.setAttribute('aria-invalid', 'true');
      showError('launch-error', e, 'Launch failed');
    } finally {
      btn.disabled = false; btn.removeAttribute('aria-busy');
    }
  }

  function newIdempotencyKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  /* ---------- launches list ---------- */
  var progressCache = new Map(); // launch_id -> {finished,total,state}
  var listSeq = 0;

  function summaryProgress(l) {
    if (Array.isArray(l.tasks)) return runsProgress(l.tasks);
    var p = l.progress;
    if (p && typeof p === 'object' && p.total != null) return { finished: +p.finished || 0, total: +p.total || 0 };
    if (l.runs_total != null) return { finished: +l.runs_finished || 0, total: +l.runs_total };
    if (l.task_counts && typeof l.task_counts === 'object') {
      var t = 0, f = 0;
      Object.keys(l.task_counts).forEach(function (s) { t += +l.task_counts[s] || 0; if (DAG.FINISHED[s]) f += +l.task_counts[s] || 0; });
      return { finished: f, total: t };
    }
    return null;
  }
  // task_counts of a launch status: {task_id: {state: n}}.
  function countsProgress(counts) {
    var t = 0, f = 0;
    Object.keys(counts).forEach(function (task) {
      var byState = counts[task] || {};
      Object.keys(byState).forEach(function (s) { t += +byState[s] || 0; if (DAG.FINISHED[s]) f += +byState[s] || 0; });
    });
    return { finished: f, total: t };
  }

  // One row per task (a 100,000-replica task is one row), shown for launches whose status is truncated.
  function renderTaskCounts(l) {
    show('large-launch', !!l.tasks_truncated);
    var body = $('task-counts').querySelector('tbody');
    body.textContent = '';
    if (!l.tasks_truncated || !l.task_counts) return;
    Object.keys(l.task_counts).sort(DAG.naturalCompare || undefined).forEach(function (task) {
      var byState = l.task_counts[task] || {};
      var p = countsProgress({ t: byState });
      var bar = el('progress', { max: String(Math.max(1, p.total)), value: String(p.finished), 'aria-label': p.finished + ' of ' + p.total + ' runs of task ' + task + ' finished' });
      var states = Object.keys(byState).sort().map(function (s) { return (DAG.STATE_ICON[s] || '') + ' ' + s + ' ' + byState[s]; }).join(', ');
      body.appendChild(el('tr', { 'data-task-id': task }, [
        el('th', { scope: 'row', text: task }), el('td', { text: String(p.total) }), el('td', {}, [bar]), el('td', { text: states })
      ]));
    });
  }

  // Finds one run of the open launch by name through /runs?run_id= and opens its details.
  async function onFindRun(ev) {
    ev.preventDefault();
    var l = state.launch;
    var name = $('find-run-name').value.trim();
    if (!l || !name) return;
    var seq = state.openSeq;
    $('find-run-result').textContent = 'Searching\u2026';
    try {
      var page = await api('GET', '/launches/' + encodeURIComponent(l.launch_id) + '/runs?run_id=' + encodeURIComponent(name));
      if (seq !== state.openSeq) return;
      var run = items(page).items[0];
      if (!run) { $('find-run-result').textContent = 'No run named ' + name + ' in this launch.'; return; }
      state.found = run;
      state.runs.set(String(run.run_id), run);
      $('find-run-result').textContent = 'Found ' + run.run_id + ' (' + run.state + ').';
      selectRun(String(run.run_id), true);
    } catch (e) {
      $('find-run-result').textContent = 'Could not search: ' + (e.message || e);
    }
  }

  function runsProgress(runs) {
    var f = 0;
    runs.forEach(function (r) { if (DAG.FINISHED[r.state]) f++; });
    return { finished: f, total: runs.length };
  }

  async function loadLaunches(more) {
    var seq = ++listSeq;
    var st = $('launch-filter-state').value, wf = $('launch-filter-workflow').value;
    var q = ['limit=50'];
    if (st) q.push('state=' + encodeURIComponent(st));
    if (wf) q.push('workflow_id=' + encodeURIComponent(wf));
    if (more && state.launchesCursor) q.push('cursor=' + encodeURIComponent(state.launchesCursor));
    try {
      var r = items(await api('GET', '/launches?' + q.join('&')));
      if (seq !== listSeq) return;
      showError('launches-error', null);
      state.launchesCursor = r.next;
      state.launchesExtraPages = !!more;
      renderLaunches(r.items, more);
    } catch (e) {
      if (seq === listSeq && e.status !== 401) showError('launches-error', e, 'Could not load launches');
    }
  }

  function renderLaunches(list, append) {
    var tbody = $('launch-list');
    if (!append) tbody.textContent = '';
    var missing = [];
    list.forEach(function (l) {
      var id = String(l.launch_id);
      var prog = summaryProgress(l);
      if (prog) progressCache.set(id, { p: prog, state: l.state });
      else if (progressCache.has(id) && progressCache.get(id).state === l.state && LAUNCH_DONE[l.state]) prog = progressCache.get(id).p;
      else missing.push(id);
      var row = el('tr', { 'data-testid': 'launch-row', 'data-launch-id': id, 'data-state': l.state || '' }, [
        el('td', null, [el('button', {
          type: 'button', class: 'linklike', 'data-testid': 'launch-open', text: id,
          'aria-label': 'Open launch ' + id, onclick: function () { openLaunch(id, true); }
        })]),
        el('td', { text: l.workflow_id != null ? String(l.workflow_id) + (l.version != null ? ' v' + l.version : '') : '\u2014' }),
        el('td', null, [badge(l.state)]),
        el('td', { class: 'progress-cell' }, progressNodes(prog)),
        el('td', { text: fmtTime(l.created_at) })
      ]);
      if (state.launch && String(state.launch.launch_id) === id) row.setAttribute('aria-current', 'true');
      tbody.appendChild(row);
    });
    show('launches-empty', tbody.children.length === 0);
    show('launches-more', !!state.launchesCursor);
    fillMissingProgress(missing);
  }

  function progressNodes(prog) {
    if (!prog) return [el('progress', { 'data-testid': 'launch-progress', 'aria-label': 'Progress loading' }), el('span', { class: 'muted', text: ' \u2026' })];
    var label = prog.finished + ' of ' + prog.total + ' runs finished';
    return [
      el('progress', { 'data-testid': 'launch-progress', max: String(Math.max(1, prog.total)), value: String(prog.finished), 'aria-label': label }),
      el('span', { class: 'progress-text', text: ' ' + prog.finished + '/' + prog.total })
    ];
  }

  // Launch summaries may not carry run counts: fetch details for those rows, a few at a time.
  async function fillMissingProgress(ids) {
    var queue = ids.slice(0, 60);
    async function worker() {
      while (queue.length) {
        var id = queue.shift();
        try {
          var l = await api('GET', '/launches/' + encodeURIComponent(id));
          var prog = runsProgress((l && l.tasks) || []);
          progressCache.set(id, { p: prog, state: l.state });
          var row = document.querySelector('#launch-list tr[data-launch-id="' + cssEscape(id) + '"]');
          if (row) {
            var cell = row.querySelector('.progress-cell');
            cell.textContent = '';
            progressNodes(prog).forEach(function (n) { cell.appendChild(n); });
          }
        } catch (e) { if (e.status === 401) return; }
      }
    }
    await Promise.all([worker(), worker(), worker()]);
  }

  function cssEscape(s) { return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, '\\$&'); }

  function badge(st) {
    var s = st || 'unknown';
    return el('span', { class: 'badge state-' + s.replace(/[^a-z_]/g, ''), 'data-state': s, text: (DAG.STATE_ICON[s] ? DAG.STATE_ICON[s] + ' ' : '') + s.replace('_', ' ') });
  }

  function startPolling() {
    stopPolling();
    state.pollTimer = setInterval(function () {
      if (document.hidden || !state.user || state.launchesExtraPages) return;
      loadLaunches(false);
    }, 15000);
  }
  function stopPolling() { if (state.pollTimer) clearInterval(state.pollTimer); state.pollTimer = null; }

  /* ---------- one launch ---------- */
  async function openLaunch(id, pushHash) {
    var seq = ++state.openSeq;
    stopStream();
    closeRunPanel(false);
    state.launch = null;
    state.found = null;
    state.runs = new Map();
    state.progress = new Map();
    state.lastEventId = null;
    show('launch-detail', true);
    showError('detail-error', null);
    $('detail-id').textContent = id;
    $('dag').textContent = '';
    $('dag').appendChild(el('p', { class: 'muted', text: 'Loading\u2026' }));
    if (pushHash) { try { history.replaceState(null, '', '#launch=' + encodeURIComponent(id)); } catch (e) { /* file:// */ } }
    Array.prototype.forEach.call(document.querySelectorAll('#launch-list tr'), function (r) {
      if (r.getAttribute('data-launch-id') === id) r.setAttribute('aria-current', 'true'); else r.removeAttribute('aria-current');
    });
    try {
      var l = await api('GET', '/launches/' + encodeURIComponent(id));
      if (seq !== state.openSeq) return;
      applyLaunch(l, true);
      $('detail-heading').focus();
      if (LAUNCH_DONE[l.state]) {
        setConn('closed', 'finished');
        loadEventHistory(id, seq);
      } else {
        // A large launch's history (an event or two per replica: 200,000 for 100,000 replicas) is not replayed: the
        // status counts its runs as of its newest event, and the stream starts after that one.
        if (l.tasks_truncated && l.last_event_id != null) state.lastEventId = String(l.last_event_id);
        startStream(id);
      }
    } catch (e) {
      if (seq !== state.openSeq) return;
      $('dag').textContent = '';
      showError('detail-error', e, e.status === 404 ? 'Launch not found' : 'Could not load the launch');
    }
  }

  // For a finished launch, the JSON event list gives the progress messages (best effort).
  async function loadEventHistory(id, seq) {
    try {
      var r = await api('GET', '/launches/' + encodeURIComponent(id) + '/events');
      if (seq !== state.openSeq) return;
      items(r).items.forEach(function (ev) {
        if (ev.id != null && (state.lastEventId == null || +ev.id > +state.lastEventId)) state.lastEventId = ev.id;
        var type = ev.event || ev.type;
        var data = ev.data && typeof ev.data === 'object' ? ev.data : ev;
        if (type === 'task.progress' && data.run_id != null) recordProgress(data);
      });
      if (state.selectedRun) renderRunPanel();
      if (!items(r).next) watchForRerun(id); // the last event known: a re-run is watched for after it
    } catch (e) { /* optional */ }
  }

  function applyLaunch(l, fresh) {
    state.launch = l;
    var runs = Array.isArray(l.tasks) ? l.tasks : [];
    state.runs = new Map();
    state.staleRuns = new Set();
    runs.forEach(function (r) { state.runs.set(String(r.run_id), r); });
    if (state.found && !state.runs.has(state.found.run_id)) state.runs.set(state.found.run_id, state.found);
    state.large = !!l.tasks_truncated;
    renderTaskCounts(l);
    renderLaunchMeta();
    if (!state.dag) {
      state.dag = new DAG.DagView($('dag'), {
        onSelect: function (runId) { selectRun(runId, true); },
        progressOf: function (runId) {
          var p = state.progress.get(runId);
          if (!p) return null;
          for (var i = p.length - 1; i >= 0; i--) if (p[i].percent != null) return p[i].percent;
          return null;
        }
      });
    }
    if (fresh) state.dag.expanded = new Set();
    redraw();
    if (state.selectedRun) {
      if (state.runs.has(state.selectedRun)) renderRunPanel();
      else closeRunPanel(false);
    }
  }

  var drawVersion = 0;
  function redraw() {
    var l = state.launch;
    if (!state.runs.size) {
      $('dag').textContent = '';
      $('dag').appendChild(el('p', { class: 'muted', text: 'No task runs yet.' }));
      return;
    }
    state.dag.render(Array.from(state.runs.values()), 'Task graph of launch ' + l.launch_id + ' (' + state.runs.size + ' runs)');
    state.dag.select(state.selectedRun);
    var svg = $('dag').querySelector('svg');
    if (svg) svg.setAttribute('data-version', String(++drawVersion));
  }

  function renderLaunchMeta() {
    var l = state.launch;
    $('detail-id').textContent = String(l.launch_id);
    setText('detail-workflow', (l.workflow_id != null ? l.workflow_id : '') + (l.version != null ? ' (version ' + l.version + ')' : ''));
    var b = $('launch-state');
    b.textContent = (DAG.STATE_ICON[l.state] ? DAG.STATE_ICON[l.state] + ' ' : '') + (l.state || 'unknown');
    b.className = 'badge state-' + String(l.state || 'unknown').replace(/[^a-z_]/g, '');
    b.setAttribute('data-state', l.state || '');
    setText('detail-created', fmtTime(l.created_at));
    setText('detail-started', fmtTime(l.started_at));
    setText('detail-finished', fmtTime(l.finished_at));
    setPre('detail-input', l.input);
    setPre('detail-output', l.output);
    updateLaunchProgress();
    show('launch-cancel', !LAUNCH_DONE[l.state]);
    renderFamily(l);
  }

  /* ---------- child launches (workflow tasks) and signals ---------- */
  function renderFamily(l) {
    var parent = $('detail-parent');
    show('detail-parent-row', !!l.parent_launch_id);
    if (l.parent_launch_id) {
      parent.textContent = String(l.parent_launch_id) + (l.parent_run_id ? ' (task run ' + l.parent_run_id + ')' : '');
      parent.setAttribute('href', '#launch=' + encodeURIComponent(String(l.parent_launch_id)));
    }
    var id = String(l.launch_id);
    api('GET', '/launches?parent_launch_id=' + encodeURIComponent(id) + '&limit=100').then(function (page) {
      if (!state.launch || String(state.launch.launch_id) !== id) return;
      var list = $('detail-children'); list.textContent = '';
      var items = (page && page.items) || [];
      items.forEach(function (c) {
        list.appendChild(el('li', null, [
          el('a', { href: '#launch=' + encodeURIComponent(String(c.launch_id)), 'data-testid': 'child-launch', text: String(c.launch_id) }),
          ' ' + String(c.workflow_id || '') + (c.parent_run_id ? ' from ' + c.parent_run_id : '') + ' ', badge(c.state)
        ]));
      });
      show('detail-children-row', items.length > 0);
    }).catch(function () { show('detail-children-row', false); });
  }

  var signalPanelRun = null;
  function renderSignalForm(r) {
    show('run-signal', r.type === 'signal' && r.state === 'waiting');
    // The answer to a signal stays while its run is shown (the run then succeeds and the form goes away).
    if (signalPanelRun !== String(r.run_id)) { $('run-signal-result').textContent = ''; signalPanelRun = String(r.run_id); }
  }

  async function onSendSignal(ev) {
    ev.preventDefault();
    var r = state.launch && state.runs.get(state.selectedRun);
    if (!r) return;
    var payload;
    try { payload = parseJSON($('run-signal-payload').value || 'null'); } catch (e) {
      $('run-signal-result').textContent = 'The payload is not valid JSON.';
      return;
    }
    var btn = $('run-signal-send');
    btn.disabled = true;
    try {
      var a = await api('POST', '/launches/' + encodeURIComponent(String(state.launch.launch_id)) + '/signals/' + encodeURIComponent(String(r.task_id)),
                        { json: { payload: payload } });
      $('run-signal-result').textContent = 'Signal sent' + (a && a.state ? ' (' + a.state + ').' : '.');
      if (!state.stream) scheduleRefetch(200);
    } catch (e) {
      $('run-signal-result').textContent = 'Signal failed: ' + (e && e.message ? e.message : String(e));
    } finally {
      btn.disabled = false;
    }
  }

  function updateLaunchProgress() {
    // A truncated launch counts every run from task_counts (refetched every two seconds while it runs); otherwise
    // the runs on the page, which live events keep current.
    var p = state.large && state.launch && state.launch.task_counts ? countsProgress(state.launch.task_counts) : runsProgress(Array.from(state.runs.values()));
    var bar = $('detail-progress');
    bar.max = Math.max(1, p.total); bar.value = p.finished;
    bar.setAttribute('aria-label', p.finished + ' of ' + p.total + ' runs finished');
    $('detail-progress-text').textContent = ' ' + p.finished + ' of ' + p.total + ' runs finished';
    // keep the launches table row in step
    if (state.launch) {
      var id = String(state.launch.launch_id);
      var row = document.querySelector('#launch-list tr[data-launch-id="' + cssEscape(id) + '"]');
      if (row) {
        row.setAttribute('data-state', state.launch.state || '');
        var cell = row.querySelector('.progress-cell');
        cell.textContent = '';
        progressNodes(p).forEach(function (n) { cell.appendChild(n); });
        var sc = row.children[2]; sc.textContent = ''; sc.appendChild(badge(state.launch.state));
      }
    }
  }

  function closeLaunch() {
    state.openSeq++;
    stopStream();
    closeRunPanel(false);
    state.launch = null;
    show('launch-detail', false);
    try { if (location.hash) history.replaceState(null, '', location.pathname + location.search); } catch (e) { /* */ }
  }

  async function onCancel() {
    if (!state.launch) return;
    var id = String(state.launch.launch_id);
    var btn = $('launch-cancel');
    btn.disabled = true;
    try {
      await api('POST', '/launches/' + encodeURIComponent(id) + '/cancel');
      announce('Cancellation requested for launch ' + id + '.');
      if (!state.stream) scheduleRefetch(200);
    } catch (e) {
      showError('detail-error', e, 'Cancel failed');
    } finally {
      btn.disabled = false;
    }
  }

  /* ---------- live events ---------- */
  function setConn(s, text) {
    var box = $('sse-status');
    box.setAttribute('data-state', s);
    $('sse-status-text').textContent = text || s;
  }

  function startStream(id) {
    stopStream();
    var seq = state.openSeq;
    state.stream = new SSE.LiveStream({
      url: API + '/launches/' + encodeURIComponent(id) + '/events',
      headers: authHeaders,
      lastEventId: state.lastEventId,
      maxDelay: 4000,
      onStatus: function (s, info) {
        if (seq !== state.openSeq) return;
        var text = {
          connecting: 'connecting\u2026', live: 'live', closed: 'finished', error: 'disconnected',
          reconnecting: info && info.delayMs != null ? 'reconnecting in ' + (info.delayMs / 1000).toFixed(1) + ' s' : 'reconnecting\u2026'
        }[s] || s;
        setConn(s, text);
        if (s === 'closed') { state.stream = null; scheduleRefetch(50); watchForRerun(id); }
      },
      onEvent: function (ev) {
        if (seq !== state.openSeq) return;
        if (ev.id != null) state.lastEventId = ev.id;
        if (state.large) queueEvent(ev); else handleEvent(ev);
      },
      // No isFinished: the stream also closes at an end a re-run came after (its history holds the old end, then
      // launch.rerun). Only the launch's state says it is over; otherwise the stream resumes after that end.
      checkFinished: async function () {
        try {
          var l = await api('GET', '/launches/' + encodeURIComponent(id));
          if (seq !== state.openSeq) return true;
          applyLaunch(l, false);
          return !!LAUNCH_DONE[l.state];
        } catch (e) { return e.status === 404; }
      },
      onFatal: function (status) {
        if (status === 401) onSessionLost();
        else showError('detail-error', { message: 'The live event stream was refused (HTTP ' + status + ').', code: 'stream_' + status });
      }
    }).start();
  }

  /* A re-run (POST /launches/{id}/rerun, from the CLI, the client or another tab) re-opens an ended launch. While
     an ended launch is shown, the user's event stream is read from this launch's last event on, for its
     launch.rerun; then the launch's own stream is followed again from that point (the re-run's runs, states and
     new end). A launch opened long after its end is only checked by the list's refresh (a replay of every event of
     the user since then would cost more than it is worth). */
  var RERUN_WATCH_MS = 3600 * 1000;
  function watchForRerun(id) {
    stopRerunWatch();
    var l = state.launch;
    if (state.lastEventId == null || !l || !LAUNCH_DONE[l.state]) return;
    if (l.finished_at && Date.now() - Date.parse(l.finished_at) > RERUN_WATCH_MS) return;
    var seq = state.openSeq;
    state.rerunWatch = new SSE.LiveStream({
      url: API + '/events',
      headers: authHeaders,
      lastEventId: state.lastEventId,
      maxDelay: 8000,
      onEvent: function (ev) {
        if (seq !== state.openSeq || ev.type !== 'launch.rerun') return;
        var d = null;
        try { d = JSON.parse(ev.data); } catch (e) { return; }
        if (!d || String(d.launch_id) !== String(id)) return;
        stopRerunWatch();
        startStream(id); // resumes after the old end: launch.rerun and all that follows
      }
    }).start();
  }
  function stopRerunWatch() {
    if (state.rerunWatch) state.rerunWatch.stop();
    state.rerunWatch = null;
  }

  function stopStream() {
    stopRerunWatch();
    if (state.stream) state.stream.stop();
    state.stream = null;
    if (state.refetchTimer) clearTimeout(state.refetchTimer);
    state.refetchTimer = null;
    pendingEvents = [];
    setConn('idle', 'not connected');
  }

  function scheduleRefetch(ms) {
    if (!state.launch) return;
    if (state.refetchTimer) return;
    var id = String(state.launch.launch_id), seq = state.openSeq;
    state.refetchTimer = setTimeout(async function () {
      state.refetchTimer = null;
      try {
        var l = await api('GET', '/launches/' + encodeURIComponent(id));
        if (seq === state.openSeq) applyLaunch(l, false);
      } catch (e) { /* next event will retry */ }
    }, ms);
  }

  /* A large launch's events are handled in batches, one per animation frame (or every 100 ms in a hidden tab, where
     frames stop): the runs shown are updated once per batch and the progress bar and the launch's row once, where
     one event at a time redrew them for each of thousands of events a second. */
  var pendingEvents = [], flushQueued = false;
  function queueEvent(ev) {
    pendingEvents.push(ev);
    if (flushQueued) return;
    flushQueued = true;
    if (window.requestAnimationFrame && !document.hidden) requestAnimationFrame(flushEvents);
    else setTimeout(flushEvents, 100);
  }
  function flushEvents() {
    flushQueued = false;
    var batch = pendingEvents;
    pendingEvents = [];
    state.batch = new Map(); // run_id -> the run as the batch left it
    try {
      batch.forEach(handleEvent);
    } finally {
      var changed = state.batch;
      state.batch = null;
      if (state.launch && changed.size) {
        var unknown = false;
        changed.forEach(function (run) { if (!state.dag.updateRun(run)) unknown = true; });
        if (unknown) scheduleRefetch(50);
        updateLaunchProgress();
        if (state.selectedRun && changed.has(state.selectedRun)) renderRunPanel();
      }
    }
  }

  function recordProgress(d) {
    var id = String(d.run_id);
    if (!state.progress.has(id)) state.progress.set(id, []);
    var list = state.progress.get(id);
    list.push({ ts: d.ts, percent: typeof d.percent === 'number' ? d.percent : null, message: d.message != null ? String(d.message) : '' });
    if (list.length > 500) list.splice(0, list.length - 500);
  }

  function handleEvent(ev) {
    var data = {};
    try { data = JSON.parse(ev.data); } catch (e) { return; }
    if (!data || typeof data !== 'object') return;
    var l = state.launch;
    if (!l) return;
    if (data.launch_id != null && String(data.launch_id) !== String(l.launch_id)) return;
    var type = ev.type;

    if (type === 'launch.rerun') {
      // The launch runs again: its re-run runs come back as scheduled or pending (refetched: some may be new).
      l.state = 'running'; l.finished_at = null;
      renderLaunchMeta();
      announce('Launch ' + l.launch_id + ' re-run.');
      scheduleRefetch(50);
      return;
    }
    if (type.indexOf('launch.') === 0) {
      var ls = data.state || LAUNCH_EVENT_STATE[type];
      if (ls) {
        l.state = ls;
        if (type === 'launch.started' && !l.started_at) l.started_at = data.ts;
        if (LAUNCH_DONE[ls] && !l.finished_at) l.finished_at = data.ts;
        renderLaunchMeta();
        if (LAUNCH_DONE[ls]) { announce('Launch ' + l.launch_id + ' ' + ls + '.'); scheduleRefetch(100); }
      }
      return;
    }
    if (type.indexOf('task.') !== 0) return;
    // A large launch's status is refetched at most every two seconds: its runs are counted, not drawn one by one.
    var refetchMs = state.large ? 2000 : 50;
    if (type === 'task.expanded') { scheduleRefetch(refetchMs); return; }
    if (data.run_id == null) return;
    var id = String(data.run_id);
    var run = state.runs.get(id);
    if (!run) { scheduleRefetch(refetchMs); return; } // a run we have not seen: the graph changed

    if (type === 'task.progress') {
      recordProgress(data);
      if (state.batch) { state.batch.set(id, run); return; }
      state.dag.updateRun(run);
      if (state.selectedRun === id) renderRunPanel();
      return;
    }
    var ns = data.state || EVENT_STATE[type];
    if (!ns) return;
    var upd = Object.assign({}, run, { state: ns });
    if (typeof data.attempt === 'number') upd.attempt = data.attempt;
    else if (type === 'task.retrying') upd.attempt = (run.attempt || 1) + 1;
    if (type === 'task.started') { upd.started_at = data.ts || upd.started_at; upd.finished_at = null; }
    if (DAG.FINISHED[ns]) upd.finished_at = data.ts || upd.finished_at;
    if ('output' in data) upd.output = data.output;
    if ('error' in data) upd.error = data.error;
    state.runs.set(id, upd);
    if (DAG.FINISHED[ns] && !('output' in data && 'error' in data)) state.staleRuns.add(id);
    // outputs and errors are in the launch document: fetch once the run finished
    if (state.selectedRun === id && DAG.FINISHED[ns] && !('output' in data)) scheduleRefetch(300);
    if (state.batch) { state.batch.set(id, upd); return; } // drawn once at the end of the batch
    if (!state.dag.updateRun(upd)) { scheduleRefetch(50); return; }
    updateLaunchProgress();
    if (state.selectedRun === id) renderRunPanel();
  }

  /* ---------- run panel ---------- */
  function selectRun(runId, focusPanel) {
    state.selectedRun = runId;
    state.dag.select(runId);
    // task events carry states, not outputs: a run that finished since the launch was fetched needs the
    // launch document again to show its output and error
    if (state.staleRuns.has(String(runId))) scheduleRefetch(0);
    renderRunPanel();
    show('run-panel', true);
    $('run-logs').textContent = 'Loading\u2026';
    loadLogs();
    if (focusPanel) $('run-heading').focus();
  }

  function renderRunPanel() {
    var r = state.runs.get(state.selectedRun);
    if (!r) return;
    $('run-id').textContent = String(r.run_id);
    // v1.1 task label and description, when the task has them
    setText('run-task', r.label ? r.task_id + ' \u2014 ' + r.label : r.task_id);
    setText('run-description', r.description);
    show('run-description-row', !!r.description);
    var b = $('run-state');
    b.textContent = (DAG.STATE_ICON[r.state] || '') + ' ' + String(r.state || 'unknown').replace('_', ' ');
    b.className = 'badge state-' + String(r.state || 'unknown').replace(/[^a-z_]/g, '');
    b.setAttribute('data-state', r.state || '');
    setText('run-attempt', r.attempt);
    setText('run-created', fmtTime(r.created_at));
    setText('run-started', fmtTime(r.started_at));
    setText('run-finished', fmtTime(r.finished_at));
    $('run-duration').textContent = fmtDuration(r.started_at, r.finished_at);
    setText('run-preds', (r.predecessors || []).join(', '));
    setText('run-succs', (r.successors || []).join(', '));
    setPre('run-input', r.input);
    setPre('run-output', r.output);
    setPre('run-error', r.error);
    renderSignalForm(r);
    var list = $('run-progress'); list.textContent = '';
    var msgs = state.progress.get(String(r.run_id)) || [];
    var last = null;
    msgs.forEach(function (m) {
      if (m.percent != null) last = m.percent;
      list.appendChild(el('li', null, [
        el('time', { datetime: m.ts || null, class: 'muted', text: m.ts ? fmtTime(m.ts) + ' ' : '' }),
        m.percent != null ? el('strong', { text: Math.round(m.percent) + '% ' }) : null,
        m.message || ''
      ]));
    });
    if (!msgs.length) list.appendChild(el('li', { class: 'muted', text: 'No progress messages.' }));
    var bar = $('run-progress-bar');
    if (last != null) { bar.hidden = false; bar.value = Math.max(0, Math.min(100, last)); bar.setAttribute('aria-label', Math.round(last) + '% done'); }
    else bar.hidden = true;
  }

  var logSeq = 0;
  async function loadLogs() {
    if (!state.launch || !state.selectedRun) return;
    stopFollowing();
    if ($('run-logs-follow').checked) return followLogs();
    var seq = ++logSeq;
    var stream = $('run-logs-stream').value;
    try {
      var t = await api('GET', '/launches/' + encodeURIComponent(state.launch.launch_id) + '/tasks/' + encodeURIComponent(state.selectedRun) + '/logs' + (stream ? '?stream=' + stream : ''), { text: true, accept: 'text/plain' });
      if (seq !== logSeq) return;
      var s = t == null ? '' : String(t);
      if (s.length > MAX_SHOW) s = '\u2026 (' + (s.length - MAX_SHOW) + ' earlier characters not shown)\n' + s.slice(-MAX_SHOW);
      $('run-logs').textContent = s || '(no output)';
    } catch (e) {
      if (seq !== logSeq) return;
      $('run-logs').textContent = e.status === 404 ? '(no logs yet)' : 'Could not load logs: ' + (e.message || e);
    }
  }

  /* Follow: the log's SSE stream (?follow=true with Accept: text/event-stream, served by the worker's event hub, no
     thread held), as `sweep logs --follow` reads it: `log` events carry the text, their id the characters sent so
     far, so a dropped connection resumes with Last-Event-ID and loses nothing; `end` says the run ended. "stdout and
     stderr" follows stderr, where functions print. Unticking, another run or closing the panel stops the stream. */
  var follower = null;
  function stopFollowing() { if (follower) { follower.stop(); follower = null; } }
  function followLogs() {
    stopFollowing();
    if (!state.launch || !state.selectedRun) return;
    ++logSeq;
    var text = '', ended = false, stream;
    $('run-logs').textContent = '(following\u2026)';
    var done = function (note) {
      if (follower !== stream) return;
      follower = null;
      $('run-logs-follow').checked = false;
      if (note) $('run-logs').textContent = text ? text + '\n' + note : note;
    };
    stream = follower = new SSE.LiveStream({
      url: API + '/launches/' + encodeURIComponent(state.launch.launch_id) + '/tasks/' + encodeURIComponent(state.selectedRun) +
        '/logs?stream=' + ($('run-logs-stream').value || 'stderr') + '&follow=true',
      headers: authHeaders,
      lastEventId: 0,
      onEvent: function (ev) {
        if (follower !== stream) return;
        var d = null;
        try { d = JSON.parse(ev.data); } catch (e) { return; }
        if (ev.type === 'end') { ended = true; return; }
        if (ev.type !== 'log' || !d) return;
        text += d.text || '';
        if (text.length > MAX_SHOW) text = text.slice(-MAX_SHOW);
        $('run-logs').textContent = text || '(no output yet)';
      },
      isFinished: function () { return ended; },
      onStatus: function (s) {
        if (s === 'closed') done(text ? null : '(no output)');
      },
      onFatal: function (status) { done('(follow stopped: HTTP ' + status + ')'); }
    }).start();
  }

  function closeRunPanel(restoreFocus) {
    stopFollowing();
    var prev = state.selectedRun;
    state.selectedRun = null;
    if (state.dag) state.dag.select(null);
    show('run-panel', false);
    if (restoreFocus && prev && state.dag) state.dag.focusRun(prev);
  }

  /* ---------- legend, hash, wiring ---------- */
  function renderLegend() {
    var ul = $('dag-legend');
    ul.textContent = '';
    DAG.STATES.forEach(function (s) {
      ul.appendChild(el('li', null, [
        el('span', { class: 'swatch state-' + s, 'aria-hidden': 'true', text: DAG.STATE_ICON[s] }),
        el('span', { text: DAG.STATE_LABEL[s] })
      ]));
    });
    $('collapse-at').textContent = String(DAG.COLLAPSE_AT);
  }

  function openFromHash() {
    var m = /^#launch=(.+)$/.exec(location.hash || '');
    if (m) openLaunch(decodeURIComponent(m[1]), false);
  }

  function init() {
    renderLegend();
    try { state.apiKey = sessionStorage.getItem(KEY_STORAGE) || null; } catch (e) { state.apiKey = null; }
    $('signin-form').addEventListener('submit', onSignIn);
    $('apikey-form').addEventListener('submit', onApiKey);
    $('signout-button').addEventListener('click', onSignOut);
    $('launch-form').addEventListener('submit', onLaunch);
    $('find-run').addEventListener('submit', onFindRun);
    $('launch-input').addEventListener('input', function () {
      var ta = $('launch-input');
      if (ta.getAttribute('aria-invalid')) { ta.removeAttribute('aria-invalid'); showError('launch-error', null); }
    });
    $('workflows-refresh').addEventListener('click', function () { loadWorkflows(false); });
    $('workflows-more').addEventListener('click', function () { loadWorkflows(true); });
    $('launches-refresh').addEventListener('click', function () { loadLaunches(false); });
    $('launches-more').addEventListener('click', function () { loadLaunches(true); });
    $('launch-filter-state').addEventListener('change', function () { loadLaunches(false); });
    $('launch-filter-workflow').addEventListener('change', function () { loadLaunches(false); });
    $('launch-filters').addEventListener('submit', function (e) { e.preventDefault(); loadLaunches(false); });
    $('launch-cancel').addEventListener('click', onCancel);
    $('run-signal').addEventListener('submit', onSendSignal);
    $('detail-close').addEventListener('click', closeLaunch);
    $('run-close').addEventListener('click', function () { closeRunPanel(true); });
    $('run-logs-refresh').addEventListener('click', loadLogs);
    $('run-logs-stream').addEventListener('change', loadLogs);
    $('run-logs-follow').addEventListener('change', loadLogs);
    $('run-panel').addEventListener('keydown', function (e) { if (e.key === 'Escape') closeRunPanel(true); });
    window.addEventListener('hashchange', function () { if (state.user) openFromHash(); });
    ['signin-username', 'signin-password', 'apikey-input'].forEach(function (id) {
      $(id).addEventListener('input', function () { $(id).removeAttribute('aria-invalid'); });
    });
    checkMe();
  }

  // exposed for debugging and tests; the page does not depend on it
  window.SweepApp = { state: state, handleEvent: handleEvent, applyLaunch: applyLaunch, openLaunch: openLaunch };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();

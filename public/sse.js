/*
 * Sweep status page: Server-Sent Events over fetch() + ReadableStream.
 *
 * EventSource cannot send an Authorization header, so the stream is read by hand:
 *   - SSEParser turns text chunks into events following the WHATWG "event stream" rules
 *     (lines end in CRLF, LF or CR; "field: value" with one optional space; "data" lines joined
 *     with "\n"; a blank line dispatches; lines starting with ":" are comments = heartbeats).
 *   - LiveStream keeps one connection open, remembers the id of the last *dispatched* event and
 *     reconnects with "Last-Event-ID" after a drop (exponential backoff with jitter, capped).
 *     The id only advances when an event is complete, so a half-received event is asked for again.
 *
 * Classic script (no ES module) so that the page also loads from file:// without CORS errors.
 * Exposes window.SweepSSE = {SSEParser, LiveStream}; also module.exports under Node for tests.
 */
(function (root) {
  'use strict';

  function SSEParser(onEvent, onComment) {
    this.onEvent = onEvent || function () {};
    this.onComment = onComment || function () {};
    this.buf = '';
    this.dataLines = [];
    this.eventType = '';
    this.idBuffer = null;   // value of the last "id:" field seen (WHATWG last event id buffer)
    this.lastEventId = null; // id of the last event actually dispatched
    this.retry = null;
  }

  SSEParser.prototype.push = function (chunk) {
    if (!chunk) return;
    var buf = this.buf + chunk;
    var start = 0;
    var i = 0;
    while (i < buf.length) {
      var c = buf.charCodeAt(i);
      if (c === 10 /* \n */ || c === 13 /* \r */) {
        if (c === 13 && i + 1 === buf.length) break; // a CR at the end: wait, an LF may follow
        this._line(buf.slice(start, i));
        if (c === 13 && buf.charCodeAt(i + 1) === 10) i++;
        start = i + 1;
      }
      i++;
    }
    this.buf = buf.slice(start);
  };

  /* Call at the end of a stream: a trailing incomplete event is discarded (as the spec says). */
  SSEParser.prototype.end = function () {
    if (this.buf === '\r') this._line('');
    this.buf = '';
    this.dataLines = [];
    this.eventType = '';
  };

  SSEParser.prototype._line = function (line) {
    if (line === '') {
      if (this.dataLines.length) {
        var ev = {
          id: this.idBuffer,
          type: this.eventType || 'message',
          data: this.dataLines.join('\n')
        };
        this.lastEventId = this.idBuffer;
        this.dataLines = [];
        this.eventType = '';
        this.onEvent(ev);
      } else {
        this.eventType = '';
      }
      return;
    }
    if (line.charCodeAt(0) === 58 /* : */) {
      this.onComment(line.slice(1));
      return;
    }
    var colon = line.indexOf(':');
    var field = colon === -1 ? line : line.slice(0, colon);
    var value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case 'data': this.dataLines.push(value); break;
      case 'event': this.eventType = value; break;
      case 'id': if (value.indexOf('\u0000') === -1) this.idBuffer = value; break;
      case 'retry': if (/^\d+$/.test(value)) this.retry = parseInt(value, 10); break;
      default: break; // unknown fields are ignored
    }
  };

  /*
   * opts: {
   *   url: string,
   *   headers: () => object           extra request headers (Authorization …)
   *   onEvent: (ev) => void            ev = {id, type, data (string)}
   *   onStatus: (state, info) => void  state: connecting | live | reconnecting | closed | error
   *   onHeartbeat: () => void
   *   isFinished: () => boolean        true once the caller saw the terminal launch event
   *   checkFinished: () => Promise<boolean>  asked when the server closed the stream without a
   *                                    terminal event (e.g. the launch had already ended)
   *   onFatal: (status) => void        401/403/404: stop, do not retry
   *   baseDelay, maxDelay, idleTimeout (ms)
   *   lastEventId: string|null         resume point
   * }
   */
  function LiveStream(opts) {
    this.opts = opts;
    this.lastEventId = opts.lastEventId == null ? null : String(opts.lastEventId);
    this.failures = 0;
    this.stopped = false;
    this.controller = null;
    this.sleepTimer = null;
    this.sleepResolve = null;
    this.baseDelay = opts.baseDelay || 250;
    this.maxDelay = opts.maxDelay || 4000;
    this.idleTimeout = opts.idleTimeout || 45000;
  }

  LiveStream.prototype._status = function (s, info) {
    if (this.opts.onStatus) this.opts.onStatus(s, info || {});
  };

  LiveStream.prototype.start = function () {
    var self = this;
    this._loop().catch(function (e) {
      if (!self.stopped) self._status('error', { message: String(e && e.message || e) });
    });
    return this;
  };

  LiveStream.prototype.stop = function () {
    this.stopped = true;
    if (this.controller) this.controller.abort();
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    if (this.sleepResolve) this.sleepResolve();
  };

  LiveStream.prototype._sleep = function (ms) {
    var self = this;
    return new Promise(function (resolve) {
      self.sleepResolve = resolve;
      self.sleepTimer = setTimeout(function () { self.sleepTimer = null; resolve(); }, ms);
    });
  };

  LiveStream.prototype.nextDelay = function () {
    var d = Math.min(this.maxDelay, this.baseDelay * Math.pow(2, this.failures));
    // full jitter on the upper half keeps many tabs from reconnecting in lock-step
    return Math.round(d / 2 + Math.random() * d / 2);
  };

  LiveStream.prototype._loop = async function () {
    var opts = this.opts;
    var self = this;
    while (!this.stopped) {
      this._status(this.failures ? 'reconnecting' : 'connecting', { attempt: this.failures });
      var controller = new AbortController();
      this.controller = controller;
      var idleTimer = null;
      var armIdle = function () {
        if (idleTimer) clearTimeout(idleTimer);
        idleTimer = setTimeout(function () { controller.abort(); }, self.idleTimeout);
      };
      try {
        var headers = Object.assign({ Accept: 'text/event-stream', 'Cache-Control': 'no-cache' },
          opts.headers ? opts.headers() : {});
        if (this.lastEventId != null) headers['Last-Event-ID'] = this.lastEventId;
        armIdle();
        var res = await fetch(opts.url, {
          method: 'GET', headers: headers, credentials: 'same-origin', cache: 'no-store',
          signal: controller.signal
        });
        if (res.status === 401 || res.status === 403 || res.status === 404) {
          clearTimeout(idleTimer);
          this._status('error', { status: res.status });
          if (opts.onFatal) opts.onFatal(res.status);
          return;
        }
        if (res.status === 204) { // server: nothing more will come
          clearTimeout(idleTimer);
          this._status('closed', {});
          return;
        }
        if (!res.ok || !res.body) throw new Error('HTTP ' + res.status);
        this._status('live', {});
        var parser = new SSEParser(function (ev) {
          self.lastEventId = ev.id != null ? ev.id : self.lastEventId;
          self.failures = 0;
          if (opts.onEvent) opts.onEvent(ev);
        }, function () {
          if (opts.onHeartbeat) opts.onHeartbeat();
        });
        var reader = res.body.getReader();
        var decoder = new TextDecoder('utf-8');
        for (;;) {
          var r = await reader.read();
          if (r.done) break;
          armIdle();
          parser.push(decoder.decode(r.value, { stream: true }));
          if (parser.retry != null) this.baseDelay = Math.max(100, parser.retry);
          if (this.stopped) { controller.abort(); return; }
        }
        parser.push(decoder.decode());
        parser.end();
        clearTimeout(idleTimer);
        if (this.stopped) return;
        if (opts.isFinished && opts.isFinished()) { this._status('closed', {}); return; }
        if (opts.checkFinished && await opts.checkFinished()) { this._status('closed', {}); return; }
        // the server closed early: fall through and reconnect
      } catch (e) {
        clearTimeout(idleTimer);
        if (this.stopped) return;
      }
      if (this.stopped) return;
      var delay = this.nextDelay();
      this.failures++;
      this._status('reconnecting', { delayMs: delay, attempt: this.failures });
      await this._sleep(delay);
    }
  };

  var api = { SSEParser: SSEParser, LiveStream: LiveStream };
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  if (root) root.SweepSSE = api;
})(typeof window !== 'undefined' ? window : null);

// The treadpace page: one WebSocket, numbers placed as the server formats them.
// Commands are sent only while connected and never queued, so nothing is
// replayed after a reconnect; the page reconnects by itself after a drop.
// The page works out nothing of its own (no pace from a speed, no countdown
// text): every string comes from the server, which formats it as the terminal does.
// Once the server says the run is finished, the page shows the summary and
// never says "disconnected": the run is over, not lost.
"use strict";
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var ws = null, hello = null, chart = [], planned = [], live = {}, nextId = 1, finished = null;
  var retry = 500, noticeTimer = null, refreshTimer = null;
  var query = location.search;

  function text(id, value) { var el = $(id); if (el) el.textContent = value == null ? "—" : value; }

  // "5:16/km" as a big time and a small unit.
  function pace(id, value) {
    var el = $(id), cut = value.indexOf("/");
    el.textContent = cut < 0 ? value : value.slice(0, cut);
    if (cut >= 0) { var u = document.createElement("small"); u.textContent = value.slice(cut); el.appendChild(u); }
  }

  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(proto + location.host + "/ws" + query);
    ws.onopen = function () { retry = 500; $("link").hidden = true; enable(); };
    ws.onmessage = function (m) { var msg; try { msg = JSON.parse(m.data); } catch (e) { return; } handle(msg); };
    ws.onclose = function () {
      ws = null; $("link").hidden = !!finished; enable();
      setTimeout(connect, retry); retry = Math.min(retry * 2, 5000);
    };
  }

  function send(command) {
    if (!ws || ws.readyState !== 1) return;   // away: the press is dropped, never queued
    ws.send(JSON.stringify({ type: "command", command: command, id: nextId++ }));
  }

  function handle(msg) {
    if (msg.type === "hello") {
      hello = msg;
      if (msg.mode === "history") { showHistory(msg); return; }
      $("history").hidden = true; $("run").hidden = false;
      chart = msg.chart || []; planned = msg.planned || [];
      text("plan", msg.plan);
      (msg.notices || []).slice(-1).forEach(showNotice);
      showLive(msg.live);
      if (msg.finished) showFinished(msg.finished);
    } else if (msg.type === "live") {
      if (msg.point && (!chart.length || chart[chart.length - 1][0] < msg.point[0])) chart.push(msg.point);
      showLive(msg);
    } else if (msg.type === "notice") {
      showNotice(msg);
    } else if (msg.type === "cue") {
      showCue(msg.message);
    } else if (msg.type === "finished") {
      showFinished(msg);
    }
  }

  // The cue until the server says it is over (the next live message without one).
  function showCue(message) { var el = $("cue"); el.textContent = message || ""; el.hidden = !message; }

  function showFinished(f) {
    finished = f;
    $("link").hidden = true;
    $("done").hidden = false;
    text("done_head", (f.state === "finished" ? "Run complete: " : "Run stopped: ")
      + f.distance + " in " + f.time + " (" + f.pace + ")");
    text("done_outcome", f.outcome);
    var table = $("done_steps"); table.textContent = "";
    if (f.rows && f.rows.length) {
      row(table, f.headers || [], true);
      f.rows.forEach(function (r) { row(table, r); });
    }
    showCue("");
    enable();
  }

  function showLive(l) {
    live = l || {};
    var state = live.state_text || "connecting";
    var pill = $("state"); pill.textContent = state; pill.className = "pill " + state;
    text("stepno", live.total_steps ? "step " + live.step_number + " of " + live.total_steps : "");
    text("stepname", live.step_name || "—");
    pace("target_pace", live.target_pace || "--:--");
    pace("actual_pace", live.actual_pace || "--:--");
    text("target_speed", live.target_speed || "");
    text("actual_speed", live.actual_speed || "");
    text("incline", live.incline);
    text("target_incline", live.target_incline ? "target " + live.target_incline : "");
    text("step_left", live.step_left);
    text("heart_rate", live.heart_rate
      ? live.heart_rate + " bpm" + (live.hr_zone ? " z" + live.hr_zone : "") : "—");
    text("elapsed", live.elapsed);
    text("distance", live.distance);
    $("progress").style.width = (live.progress || 0) + "%";
    var c = live.next_change, el = $("change");
    if (c && c.text && (live.state === "running" || live.state === "paused")) {
      el.textContent = c.text;
      el.className = "change" + (c.in_s != null && c.in_s <= 10 ? " soon" : "");
    } else { el.textContent = ""; }
    if ("cue" in live) showCue(live.cue);
    var next = $("next"); next.textContent = "";
    (live.next_steps || []).forEach(function (s) {
      var li = document.createElement("li"), b = document.createElement("b");
      b.textContent = s.number + ". " + s.name;
      var info = document.createElement("span"); info.textContent = s.amount + " · " + s.pace;
      li.appendChild(b); li.appendChild(info);
      next.appendChild(li);
    });
    enable();
    draw($("chart"), planned, chart);
  }

  function enable() {
    var up = !!ws && ws.readyState === 1, st = live.state;
    var active = !finished && (st === "running" || st === "paused" || st === "starting");
    var pause = $("b_pause"), remote = !!hello && hello.allow_remote_start;
    // Resuming moves a standing belt: from here only when the profile allows remote start.
    pause.textContent = st === "paused" ? (remote ? "resume" : "paused: resume at the treadmill") : "pause";
    pause.disabled = !up || !active || (st === "paused" && !remote);
    ["b_skip", "b_faster", "b_slower", "b_stop"].forEach(function (id) { $(id).disabled = !up || !active; });
    var canStart = !!hello && hello.allow_remote_start && (st === "ready" || st === "idle");
    $("b_start").hidden = !canStart; $("b_start").disabled = !up;
    if (!up || !active) $("confirm").hidden = true;
  }

  function showNotice(n) {
    var el = $("notice");
    el.textContent = n.message; el.className = "notice " + (n.level || "info"); el.hidden = false;
    clearTimeout(noticeTimer);
    if (!n.sticky) noticeTimer = setTimeout(function () { el.hidden = true; }, 12000);
  }

  // Target (amber) and actual (blue) speed over plan time; the plan ahead dashed.
  function draw(canvas, plan, points) {
    if (!canvas) return;
    var dpr = window.devicePixelRatio || 1, w = canvas.clientWidth, h = canvas.clientHeight;
    if (!w || !h) return;
    canvas.width = w * dpr; canvas.height = h * dpr;
    var g = canvas.getContext("2d"); g.scale(dpr, dpr); g.clearRect(0, 0, w, h);
    var tmax = 1, lo = Infinity, hi = -Infinity;
    plan.forEach(function (p) { tmax = Math.max(tmax, p[1]); lo = Math.min(lo, p[2], p[3]); hi = Math.max(hi, p[2], p[3]); });
    points.forEach(function (p) { tmax = Math.max(tmax, p[0]); lo = Math.min(lo, p[1], p[2]); hi = Math.max(hi, p[1], p[2]); });
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    var pad = Math.max(0.5, (hi - lo) * 0.15); lo = Math.max(0, lo - pad); hi += pad;
    var L = 34, R = 8, T = 10, B = 20;
    var x = function (t) { return L + (w - L - R) * t / tmax; };
    var y = function (v) { return T + (h - T - B) * (1 - (v - lo) / (hi - lo)); };
    g.strokeStyle = "#30363d"; g.fillStyle = "#8b949e"; g.font = "11px system-ui, sans-serif"; g.lineWidth = 1;
    for (var i = 0; i <= 3; i++) {
      var v = lo + (hi - lo) * i / 3, yy = Math.round(y(v)) + 0.5;
      g.beginPath(); g.moveTo(L, yy); g.lineTo(w - R, yy); g.stroke(); g.fillText(v.toFixed(1), 2, yy + 4);
    }
    g.fillText((hello && hello.unit) || "", 2, h - 5);
    g.fillText(Math.round(tmax / 60) + " min", w - R - 40, h - 5);
    g.font = "bold 12px system-ui, sans-serif";
    g.fillStyle = "#f0b429"; g.fillText("target", w - R - 96, T + 12);
    g.fillStyle = "#3fb9f5"; g.fillText("actual", w - R - 46, T + 12);
    g.setLineDash([5, 5]); g.strokeStyle = "rgba(240,180,41,.45)"; g.lineWidth = 2; g.beginPath();
    plan.forEach(function (p, k) { if (k === 0) g.moveTo(x(p[0]), y(p[2])); else g.lineTo(x(p[0]), y(p[2])); g.lineTo(x(p[1]), y(p[3])); });
    g.stroke(); g.setLineDash([]);
    // Actual under target, so a belt right on target still shows the target line.
    line(g, points, 2, "#3fb9f5", 4, x, y, false); line(g, points, 1, "#f0b429", 2, x, y, true);
  }

  function line(g, points, k, colour, width, x, y, steps) {
    if (!points.length) return;
    g.strokeStyle = colour; g.lineWidth = width; g.beginPath();
    points.forEach(function (p, i) {
      if (i === 0) { g.moveTo(x(p[0]), y(p[k])); return; }
      if (steps) g.lineTo(x(p[0]), y(points[i - 1][k]));
      g.lineTo(x(p[0]), y(p[k]));
    });
    g.stroke();
  }

  function row(table, cells, head) {
    var tr = document.createElement("tr");
    cells.forEach(function (c) { var td = document.createElement(head ? "th" : "td"); td.textContent = c; tr.appendChild(td); });
    table.appendChild(tr);
  }

  function showHistory(msg) {
    $("run").hidden = true; $("history").hidden = false; $("link").hidden = true;
    var last = $("last"); last.textContent = "";
    var head = document.createElement("div"); head.className = "head";
    head.textContent = msg.last ? msg.last.headline : "No runs recorded yet";
    last.appendChild(head);
    var steps = $("steps"); steps.textContent = "";
    if (msg.last) {
      row(steps, ["#", "step", "target", "actual", "distance", "time"], true);
      msg.last.steps.forEach(function (s) { row(steps, [s.number, s.name, s.target_pace, s.actual_pace, s.distance, s.time]); });
    }
    var runs = $("runs"); runs.textContent = "";
    row(runs, ["date", "plan", "distance", "time", "pace", ""], true);
    (msg.runs || []).forEach(function (r) { row(runs, [r.date, r.plan, r.distance, r.time, r.pace, r.status]); });
    draw($("hchart"), [], msg.last ? msg.last.chart : []);
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      if (ws && ws.readyState === 1) ws.send(JSON.stringify({ type: "refresh" }));
    }, 30000);
  }

  $("b_pause").onclick = function () { send(live.state === "paused" ? "resume" : "pause"); };
  $("b_start").onclick = function () { send("start"); };
  $("b_skip").onclick = function () { send("skip"); };
  $("b_faster").onclick = function () { send("faster"); };
  $("b_slower").onclick = function () { send("slower"); };
  $("b_stop").onclick = function () { $("confirm").hidden = false; };
  $("b_stop_no").onclick = function () { $("confirm").hidden = true; };
  $("b_stop_yes").onclick = function () { $("confirm").hidden = true; send("stop"); };
  window.addEventListener("resize", function () { draw($("chart"), planned, chart); });
  connect();
})();

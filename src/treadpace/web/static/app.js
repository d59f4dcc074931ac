// The treadpace page: one WebSocket, numbers placed as the server formats them.
// Commands are sent only while connected and never queued, so nothing is
// replayed after a reconnect; the page reconnects by itself after a drop.
// The page works out nothing of its own (no pace from a speed, no countdown
// text): every string comes from the server, which formats it as the terminal does.
// Once the server says the run is finished, the page shows the summary and
// never says "disconnected": the run is over, not lost.
// Under `treadpace serve` (the appliance: /api/home answers) the page is the
// console too: home, preview, start, history; cues are spoken here (Web Speech,
// a short tone where the browser has none), unless muted on the page.
"use strict";
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var ws = null, hello = null, chart = [], planned = [], live = {}, nextId = 1, finished = null;
  var retry = 500, noticeTimer = null, refreshTimer = null;
  var query = location.search;
  var appliance = false, view = "", home = null, chosen = "", cancelled = false, audio = null;
  var muted = false, previewTimer = null, wake = null, later = false, setupTimer = null;
  try { muted = localStorage.getItem("treadpace-mute") === "1"; } catch (e) { muted = false; }

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
      if (msg.mode === "history") { if (!appliance) { hello = msg; showHistory(msg); } return; }
      hello = msg;
      $("history").hidden = true;
      if (!appliance) $("run").hidden = false;
      else if (!msg.finished) { $("nav_live").hidden = false; go("live"); }
      if (!msg.finished) { finished = null; $("done").hidden = true; cancelled = false; }
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
      if (msg.kind === "countdown") { text("count_text", msg.message); say(msg.message); }
    } else if (msg.type === "cue") {
      showCue(msg.message);
      say(msg.speak || msg.message);
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
    $("count").hidden = true;
    if (appliance) {
      $("b_home").hidden = false;
      if (cancelled) { cancelled = false; location.hash = "#home"; return; }
      exportsOf("done_export", 10);
    }
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
    $("count").hidden = !(appliance && live.state === "countdown" && !finished);
  }

  function enable() {
    var up = !!ws && ws.readyState === 1, st = live.state;
    var active = !finished && (st === "running" || st === "paused" || st === "countdown");
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
  function draw(canvas, plan, points, unit) {
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
    g.fillText(unit || (hello && hello.unit) || "", 2, h - 5);
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

  // ---------------------------------------------------------------- the appliance
  function api(path, params) { return path + (params ? (query ? query + "&" : "?") + params : query); }

  function getJSON(path, params, done) {
    fetch(api(path, params), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json().then(function (j) { done(r.status, j); }); })
      .catch(function () { done(0, { error: "no answer from treadpace" }); });
  }

  function go(name) { if (location.hash !== "#" + name) location.hash = "#" + name; else route(); }

  function show(name) {
    view = name;
    ["home", "setup", "preview", "gear", "past", "detail", "run", "history"].forEach(function (id) { $(id).hidden = id !== name; });
    $("nav_home").hidden = $("nav_runs").hidden = $("nav_gear").hidden = !appliance;
  }

  function route() {
    var h = decodeURIComponent(location.hash.slice(1)), cut = h.indexOf("/");
    var page = cut < 0 ? h : h.slice(0, cut), arg = cut < 0 ? "" : h.slice(cut + 1);
    if (page === "live") { show("run"); draw($("chart"), planned, chart); }
    else if (page === "plan") { show("preview"); chosen = arg; loadPreview(); }
    else if (page === "runs") { show("past"); loadRuns(); }
    else if (page === "setup") { show("setup"); }
    else if (page === "treadmill") { show("gear"); loadTreadmill(); }
    else if (page === "run") { show("detail"); loadDetail(arg); }
    else { show("home"); loadHome(); }
  }

  function pick(button, item, label) {
    button.textContent = label; button.hidden = !item.name;
    button.onclick = function () { location.hash = "#plan/" + encodeURIComponent(item.name); };
  }

  function list(id, lines) {
    var ul = $(id); ul.textContent = "";
    (lines || []).forEach(function (l) { var li = document.createElement("li"); li.textContent = l; ul.appendChild(li); });
  }

  function loadHome() {
    getJSON("/api/home", "", function (status, h) {
      if (status !== 200) { text("h_status", h.error || "treadpace did not answer"); return; }
      home = h;
      if (h.profile.default && !later) { location.hash = "#setup"; return; }
      text("h_who", (h.profile.default ? "built-in profile" : h.profile.name) + " · " + h.treadmill);
      text("h_status", h.running ? "a run is going: " + h.plan : "ready");
      $("nav_live").hidden = !h.running;
      pick($("h_today"), h.today, "suggested: " + h.today.title);
      list("h_reasons", h.today.reasons);
      pick($("h_program"), h.program, "program: " + h.program.title);
      list("h_program_why", h.program.reasons);
      var plans = $("h_plans"); plans.textContent = "";
      h.plans.forEach(function (p) {
        var b = document.createElement("button"); b.className = "pick";
        b.textContent = p.error ? p.name + " (cannot be used: " + p.error + ")"
          : (p.title || p.name) + " · " + p.distance + " · " + p.time + (p.shelf === "user" ? " · yours" : "");
        b.disabled = !!p.error; b.setAttribute("aria-label", "preview " + p.name);
        b.onclick = function () { location.hash = "#plan/" + encodeURIComponent(p.name); };
        plans.appendChild(b);
      });
      runRows($("h_runs"), h.runs);
    });
  }

  function adjustments() {
    var f = $("p_form");
    return "plan=" + encodeURIComponent(chosen) + "&name=" + encodeURIComponent(chosen)
      + "&scale=" + (f.scale.value / 100) + "&offset=" + encodeURIComponent(f.offset.value || "0")
      + "&race_distance=" + encodeURIComponent(f.race_distance.value.trim())
      + "&race_time=" + encodeURIComponent(f.race_time.value.trim());
  }

  function loadPreview() {
    // A page opened on a preview asks the home first: it says whether remote start is on.
    if (!home) { getJSON("/api/home", "", function (s, h) { if (s === 200) { home = h; loadPreview(); } }); return; }
    text("p_scale_out", $("p_scale").value + " %");
    var remote = home.profile.remote_start;
    $("p_remote").hidden = remote;
    text("p_remote", "Remote start is off: set mqtt: {allow_remote_start: true} in the profile"
      + " to start from here, or use \"start at the treadmill\" and press Start on its console.");
    getJSON("/api/plan", adjustments(), function (status, p) {
      var err = $("p_error");
      err.hidden = status === 200; err.textContent = status === 200 ? "" : (p.error || "no answer");
      if (status !== 200) return;
      text("p_name", p.name); text("p_total", p.total);
      var t = $("p_steps"); t.textContent = ""; row(t, p.headers, true);
      p.rows.forEach(function (r) { row(t, r); });
      list("p_notes", p.notes);
      draw($("p_chart"), p.planned, [], p.unit);
    });
  }

  function start(atTreadmill) {
    unlockSound();
    var body = {}, pairs = adjustments().split("&");
    pairs.forEach(function (kv) { var i = kv.indexOf("="); body[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1)); });
    body.at_treadmill = atTreadmill;
    fetch(api("/api/start"), { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json(); })
      .then(function (a) {
        var err = $("p_error");
        if (!a.ok) { err.hidden = false; err.textContent = a.error; return; }
        err.hidden = true; keepAwake();
        if (a.waiting) showNotice({ message: a.waiting, level: "info" });
        $("nav_live").hidden = false; go("live");
      })
      .catch(function () { $("p_error").hidden = false; $("p_error").textContent = "no answer from treadpace"; });
  }

  function runRows(table, runs) {
    table.textContent = "";
    row(table, ["date", "plan", "distance", "time", "pace", ""], true);
    (runs || []).forEach(function (r) {
      row(table, [r.date, r.plan, r.distance, r.time, r.pace, r.status]);
      var tr = table.lastChild; tr.className = "open"; tr.tabIndex = 0;
      tr.setAttribute("aria-label", "open the run of " + r.date);
      tr.onclick = function () { location.hash = "#run/" + encodeURIComponent(r.id); };
    });
  }

  function loadRuns() {
    getJSON("/api/runs", "", function (status, h) {
      if (status !== 200) return;
      var w = $("r_weeks"); w.textContent = ""; row(w, ["week", "runs", "distance", "time"], true);
      h.weeks.forEach(function (k) { row(w, [k.week, k.runs, k.distance, k.time]); });
      runRows($("r_runs"), h.runs);
    });
  }

  function exportLinks(id, runId) {
    var box = $(id); box.textContent = "";
    ["fit", "tcx"].forEach(function (f) {
      var a = document.createElement("a"); a.className = "button";
      a.href = api("/api/runs/" + encodeURIComponent(runId) + "/export/" + f);
      a.textContent = "export " + f.toUpperCase(); a.setAttribute("download", runId + "." + f);
      box.appendChild(a);
    });
  }

  function uploadButton(id, runId) {
    // Shown only when the profile names services to send to (sync.to): docs/sync.md.
    getJSON("/api/home", "", function (status, h) {
      var to = status === 200 ? h.profile.sync_to : [];
      if (!to || !to.length) return;
      var box = $(id), said = document.createElement("div");
      var b = document.createElement("button");
      b.className = "button"; b.textContent = "upload to " + to.join(" and ");
      b.setAttribute("aria-label", "upload this run to " + to.join(" and "));
      b.onclick = function () {
        b.disabled = true; said.textContent = "uploading...";
        postJSON("/api/runs/" + encodeURIComponent(runId) + "/upload", {}, function (s, r) {
          b.disabled = false;
          said.textContent = s === 200 ? r.lines.join("; ") || "nothing to send" : (r.error || "upload failed");
        });
      };
      box.appendChild(b); box.appendChild(said); box.hidden = false;
    });
  }

  function exportsOf(id, tries) {
    getJSON("/api/status", "", function (status, s) {
      if (status === 200 && !s.running && s.last_run) {
        exportLinks(id, s.last_run);
        uploadButton("done_upload", s.last_run);
        var a = document.createElement("a"); a.className = "button"; a.href = "#run/" + encodeURIComponent(s.last_run);
        a.textContent = "laps and heart-rate zones"; $(id).appendChild(a);
        return;
      }
      if (tries > 0) setTimeout(function () { exportsOf(id, tries - 1); }, 500);
    });
  }

  function loadDetail(runId) {
    getJSON("/api/runs/" + encodeURIComponent(runId), "", function (status, d) {
      text("d_head", status === 200 ? d.headline : (d.error || "no such run"));
      if (status !== 200) return;
      text("d_date", d.date + " · " + d.plan);
      var t = $("d_steps"); t.textContent = "";
      row(t, ["#", "step", "target", "actual", "distance", "time"], true);
      d.steps.forEach(function (s) { row(t, [s.number, s.name, s.target_pace, s.actual_pace, s.distance, s.time]); });
      var z = $("d_zones"); z.textContent = ""; row(z, ["zone", "time"], true);
      d.zones.forEach(function (r) { row(z, r); });
      draw($("d_chart"), [], d.chart);
      exportLinks("d_export", d.id);
      uploadButton("d_export", d.id);
    });
  }

  // Speech: the page's own voice, because the runner's headphones are on the phone.
  function say(words) {
    if (muted || !words) return;
    var synth = window.speechSynthesis;
    if (synth && window.SpeechSynthesisUtterance) { synth.speak(new window.SpeechSynthesisUtterance(words)); return; }
    beep();
  }

  function beep() {
    if (!audio) openAudio();
    if (!audio) return;
    var o = audio.createOscillator(), g = audio.createGain();
    o.frequency.value = 880; g.gain.value = 0.2; o.connect(g); g.connect(audio.destination);
    o.start(); o.stop(audio.currentTime + 0.15);
  }

  // Phones let a page make sound only after a press: the Start press opens both voices.
  function openAudio() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!audio && Ctx) { try { audio = new Ctx(); } catch (e) { audio = null; } }
  }

  function unlockSound() {
    openAudio();
    if (window.speechSynthesis && window.SpeechSynthesisUtterance && !muted) {
      window.speechSynthesis.speak(new window.SpeechSynthesisUtterance(""));
    }
  }

  function keepAwake() {
    if (navigator.wakeLock && !wake) {
      navigator.wakeLock.request("screen").then(function (w) { wake = w; w.onrelease = function () { wake = null; }; }, function () {});
    }
  }

  function showMute() {
    var b = $("b_mute");
    b.textContent = muted ? "cues muted" : "cues on"; b.setAttribute("aria-pressed", muted ? "true" : "false");
  }

  // The treadmill: the simulator or a scanned one, described by `info`'s own words.
  function treadmillError(status, r) {
    var err = $("t_error"); err.hidden = status === 200; err.textContent = status === 200 ? "" : (r.error || "no answer");
    return status === 200;
  }

  function choose(choice) {
    postJSON("/api/treadmill", choice, function (status, r) {
      if (treadmillError(status, r)) { text("t_label", r.label); $("t_lines").textContent = ""; }
    });
  }

  function chooser(box, label, choice) {
    var b = document.createElement("button"); b.className = "pick"; b.textContent = label;
    b.onclick = function () { choose(choice); }; box.appendChild(b);
  }

  function loadTreadmill() {
    getJSON("/api/treadmill", "", function (status, t) {
      if (!treadmillError(status, t)) return;
      text("t_label", t.label); text("t_limits", t.limits);
      var box = $("t_models"); box.textContent = "";
      t.models.forEach(function (m) { chooser(box, "use the simulator: " + m, { sim_model: m }); });
    });
  }

  $("b_info").onclick = function () {
    list("t_lines", ["asking…"]);
    getJSON("/api/treadmill/info", "", function (status, r) { list("t_lines", treadmillError(status, r) ? r.lines : []); });
  };
  $("b_scan").onclick = function () {
    var box = $("t_rows"); box.textContent = "scanning…";
    postJSON("/api/treadmill/scan", {}, function (status, r) {
      box.textContent = "";
      if (!treadmillError(status, r)) return;
      if (!r.rows.length) box.textContent = "no treadmill heard: is it on, and not connected to another app?";
      r.rows.forEach(function (row) {
        var name = (row.name || "(no name)") + " · " + row.address + " · " + row.rssi + " dBm";
        chooser(box, "use " + name, { address: row.address });
        chooser(box, "use and pin in the profile: " + name, { address: row.address, pin: true });
      });
    });
  };

  // The first run: init's questions, each checked by the server as it is typed.
  function answers() {
    var f = $("s_form"), out = {};
    ["units", "name", "race_distance", "race_time", "max_speed", "max_incline", "max_bpm", "rest_bpm", "age"]
      .forEach(function (k) { out[k] = f[k].value; });
    out.remote_start = f.remote_start.checked;
    return out;
  }

  function postJSON(path, body, done) {
    fetch(api(path), { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { done(r.status, j); }); })
      .catch(function () { done(0, { error: "no answer from treadpace" }); });
  }

  function checkAnswers() {
    postJSON("/api/profile/check", answers(), function (status, r) {
      var errors = (r && r.errors) || {};
      ["race", "max_speed", "max_incline", "max_bpm", "rest_bpm", "age", "name"].forEach(function (k) {
        text("e_" + k, errors[k] || ""); $("e_" + k).hidden = !errors[k];
      });
      if (errors.units) text("e_name", errors.units);
    });
  }

  $("s_form").oninput = function () { clearTimeout(setupTimer); setupTimer = setTimeout(checkAnswers, 200); };
  $("s_form").onsubmit = function (e) { e.preventDefault(); };
  $("b_save").onclick = function () {
    postJSON("/api/profile", answers(), function (status, r) {
      var err = $("s_error");
      if (status !== 200) { err.hidden = false; err.textContent = r.error || "not saved"; return; }
      err.hidden = true; home = null; location.hash = "#home";
    });
  };
  $("b_later").onclick = function () { later = true; location.hash = "#home"; };

  $("b_mute").onclick = function () {
    muted = !muted; showMute();
    try { localStorage.setItem("treadpace-mute", muted ? "1" : "0"); } catch (e) { /* private mode */ }
    if (muted && window.speechSynthesis) window.speechSynthesis.cancel();
  };
  $("b_go").onclick = function () { start(false); };
  $("b_go_console").onclick = function () { start(true); };
  // Over HTTP, not the socket: a Cancel is answered even while the socket reconnects.
  $("b_cancel").onclick = function () { cancelled = true; postJSON("/command/stop", {}, function () {}); };
  $("b_home").onclick = function () { location.hash = "#home"; };
  $("p_form").oninput = function () {
    text("p_scale_out", $("p_scale").value + " %");
    clearTimeout(previewTimer); previewTimer = setTimeout(loadPreview, 250);
  };
  $("p_form").onsubmit = function (e) { e.preventDefault(); };
  window.addEventListener("hashchange", function () { if (appliance) route(); });
  showMute();

  $("b_pause").onclick = function () { send(live.state === "paused" ? "resume" : "pause"); };
  $("b_start").onclick = function () { send("start"); };
  $("b_skip").onclick = function () { send("skip"); };
  $("b_faster").onclick = function () { send("faster"); };
  $("b_slower").onclick = function () { send("slower"); };
  $("b_stop").onclick = function () { $("confirm").hidden = false; };
  $("b_stop_no").onclick = function () { $("confirm").hidden = true; };
  $("b_stop_yes").onclick = function () { $("confirm").hidden = true; send("stop"); };
  window.addEventListener("resize", function () { draw($("chart"), planned, chart); });
  getJSON("/api/home", "", function (status) {
    appliance = status === 200;
    if (appliance) { $("run").hidden = true; route(); }
    connect();
  });
})();

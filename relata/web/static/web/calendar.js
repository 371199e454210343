// The calendar page (activities/calendar.html): FullCalendar with the member's tasks and
// meetings, drag and drop to reschedule, and the choice of a colleague or a team.
//
// Time zone: the calendar runs in "UTC" and the server gives it wall-clock times of the
// member's zone (the user's, else the workspace's) without an offset; the times sent back
// are such wall-clock times too. So what is shown never depends on the browser's zone.
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  // A Date of the calendar holds the wall clock in its UTC fields.
  function wall(date) {
    return date.toISOString().slice(0, 19);
  }

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (match, name) {
      return values[name] === undefined ? match : String(values[name]);
    });
  }

  // "Now" (today's column, the red line) is the current wall clock of the member's zone.
  function zoneNow(zone) {
    return function () {
      try {
        var parts = {};
        new Intl.DateTimeFormat("en-GB", {
          timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
          hour: "2-digit", minute: "2-digit", second: "2-digit"
        }).formatToParts(new Date()).forEach(function (part) { parts[part.type] = part.value; });
        var hour = parts.hour === "24" ? "00" : parts.hour;
        return parts.year + "-" + parts.month + "-" + parts.day + "T" + hour + ":" + parts.minute + ":" + parts.second;
      } catch (e) {
        return new Date();
      }
    };
  }

  var COLORS = {
    task: "var(--bs-primary)",
    overdue: "var(--bs-danger)",
    finished: "var(--bs-secondary)",
    meeting: "var(--bs-success)",
    visit: "var(--bs-teal, #20c997)"
  };

  function colorOf(props) {
    if (props.kind === "task") {
      if (props.finished) { return COLORS.finished; }
      return props.overdue ? COLORS.overdue : COLORS.task;
    }
    return COLORS[props.status] || COLORS.meeting;
  }

  function start() {
    var element = document.getElementById("calendar");
    var configElement = document.getElementById("calendar-config");
    if (!element || !configElement || !window.FullCalendar) { return; }
    var config = JSON.parse(configElement.textContent);
    var texts = config.texts;
    var whose = config.whose;
    var box = document.getElementById("calendar-message");
    var hideTimer = null;

    function say(text, kind) {
      if (!box) { return; }
      box.querySelector("[data-text]").textContent = text;
      box.classList.remove("d-none", "alert-danger", "alert-warning", "alert-success");
      box.classList.add("alert-" + (kind || "danger"));
      if (hideTimer) { clearTimeout(hideTimer); hideTimer = null; }
      if (kind === "success") {
        hideTimer = setTimeout(function () { box.classList.add("d-none"); }, 2500);
      }
    }
    function quiet() {
      if (box) { box.classList.add("d-none"); }
    }
    if (box) {
      box.querySelector("[data-dismiss-message]").addEventListener("click", quiet);
    }

    // Reads a JSON answer; a log-in page (an expired session) or a server error page is
    // not JSON and gives an empty object.
    function read(response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") < 0) { return Promise.resolve({}); }
      return response.json().catch(function () { return {}; });
    }

    function errorText(body, fallback, status) {
      return (body && body.error && body.error.message) || format(fallback, { status: status });
    }

    function fetchEntries(info, success, failure) {
      var params = new URLSearchParams({ start: wall(info.start), end: wall(info.end) });
      var choice = whose.split(":");
      params.set(choice[0], choice[1]);
      fetch(config.eventsUrl + "?" + params.toString(), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        return read(response).then(function (body) {
          if (!response.ok || response.redirected || !Array.isArray(body.events)) {
            var text = errorText(body, texts.loadFailed, response.status);
            say(text, "danger");
            failure(new Error(text));
            return;
          }
          if (body.truncated) { say(texts.truncated, "warning"); }
          success(body.events);
        });
      }).catch(function (error) {
        say(format(texts.loadFailed, { status: "network" }), "danger");
        failure(error);
      });
    }

    function move(info, resized) {
      var entry = info.event;
      var props = entry.extendedProps;
      var data = new URLSearchParams({
        kind: props.kind, id: String(props.pk), version: String(props.version), start: wall(entry.start)
      });
      if (resized && entry.end) { data.set("end", wall(entry.end)); }
      fetch(config.moveUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
      }).then(function (response) {
        return read(response).then(function (body) {
          if (response.ok && body.ok) {
            entry.setExtendedProp("version", body.version);
            say(texts.moved, "success");
            calendar.refetchEvents(); // "overdue" and the colours follow the new time
            return;
          }
          info.revert();
          say(errorText(body, texts.moveFailed, response.status), "danger");
          if (response.status === 409) { calendar.refetchEvents(); }
        });
      }).catch(function () {
        info.revert();
        say(format(texts.moveFailed, { status: "network" }), "danger");
      });
    }

    function remember(info) {
      var url = new URL(window.location.href);
      url.searchParams.set("view", info.view.type);
      url.searchParams.set("date", wall(info.view.currentStart).slice(0, 10));
      window.history.replaceState(null, "", url.toString());
    }

    var calendar = new window.FullCalendar.Calendar(element, {
      timeZone: "UTC",
      now: zoneNow(config.timeZone),
      locale: config.locale,
      initialView: config.initialView,
      initialDate: config.initialDate || undefined,
      headerToolbar: {
        left: "prev,next today",
        center: "title",
        right: "timeGridDay,timeGridWeek,dayGridMonth,listWeek"
      },
      // Day and week: a working day in view, the rest a scroll away; month and list: as tall as they are.
      contentHeight: 640,
      scrollTime: "08:00:00",
      views: { dayGridMonth: { contentHeight: "auto" }, listWeek: { contentHeight: "auto" } },
      nowIndicator: true,
      allDaySlot: false,
      dayMaxEvents: true,
      editable: Boolean(config.canMove),
      eventDurationEditable: false,
      events: fetchEntries,
      eventDataTransform: function (data) {
        var color = colorOf(data.extendedProps || {});
        data.backgroundColor = color;
        data.borderColor = color;
        return data;
      },
      eventDidMount: function (info) {
        var props = info.event.extendedProps;
        info.el.setAttribute("data-entry", info.event.id);
        var details = [props.type, props.client, props.user].filter(Boolean);
        if (props.overdue) { details.push(texts.overdue); }
        info.el.setAttribute("title", info.event.title + (details.length ? " — " + details.join(", ") : ""));
        if (props.finished) {
          info.el.style.opacity = "0.65";
          info.el.style.textDecoration = "line-through";
        }
      },
      eventDrop: function (info) { move(info, false); },
      eventResize: function (info) { move(info, true); },
      datesSet: remember
    });
    calendar.render();

    var select = document.getElementById("calendar-whose");
    if (select) {
      select.addEventListener("change", function () {
        whose = select.value;
        var url = new URL(window.location.href);
        url.searchParams.delete("user");
        url.searchParams.delete("team");
        var choice = whose.split(":");
        url.searchParams.set(choice[0], choice[1]);
        window.history.replaceState(null, "", url.toString());
        quiet();
        calendar.refetchEvents();
      });
    }
  }

  // The feed's address is selected whole when focused, ready to copy.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) { event.target.select(); }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

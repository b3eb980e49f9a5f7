// The supervisor's page: the live hall over Socket.IO (/supervisor), pausing and resuming a
// service, failed print jobs and SMS, and the reports with charts, CSV and a quarterly summary.

import { ApiError, Catalogue, api, h, liveConnection, request, revokeToken } from "/common/static/client.js";

const SESSION_KEY = "huduma.supervisor.session";
const HALL_EVERY_MS = 5000;

const app = document.querySelector(".app");
const centre = app.dataset.centre;
const catalogue = Catalogue.fromPage();
const t = (key, vars) => catalogue.t(key, vars);
const $ = (id) => document.getElementById(id);
const Chart = window.Chart;

const state = {
  session: JSON.parse(window.sessionStorage.getItem(SESSION_KEY) ?? "null"),
  socket: null,
  hall: null,
  reportDatesPicked: false,
  timer: null,
  pausing: null,
  tab: "hall",
  report: null,
  charts: {},
};

// -- signing in ----------------------------------------------------------------------------

async function signIn(event) {
  event.preventDefault();
  const body = { username: $("username").value.trim(), password: $("password").value };
  try {
    const result = await api("/auth/login", { method: "POST", body });
    state.session = { token: result.token, username: result.user.username };
    window.sessionStorage.setItem(SESSION_KEY, JSON.stringify(state.session));
    $("password").value = "";
    start();
  } catch (error) {
    showSignIn(error instanceof ApiError && error.status === 401 ? "bad_sign_in" : null, error);
  }
}

function showSignIn(key, error = null) {
  $("view-signin").hidden = false;
  $("view-work").hidden = true;
  $("sign-out").hidden = true;
  $("who").textContent = "";
  $("signin-error").hidden = !key && !error;
  $("signin-error").textContent = key ? t(key) : error ? t("failed", { message: error.message }) : "";
}

function signOut() {
  state.socket?.disconnect();
  clearInterval(state.timer);
  const token = state.session?.token;
  state.session = null;
  window.sessionStorage.removeItem(SESSION_KEY);
  revokeToken(token);
  showSignIn(null);
}

function start() {
  $("view-signin").hidden = true;
  $("view-work").hidden = false;
  $("sign-out").hidden = false;
  $("who").textContent = state.session.username;
  state.socket = liveConnection("/supervisor", {
    auth: { token: state.session.token, centre },
    handlers: { hall: showHall, service_changed: refresh, money_asked: refresh },
    onStatus: (online) => {
      $("offline").hidden = online;
    },
    onRefused: (error) => {
      state.socket = null;
      window.sessionStorage.removeItem(SESSION_KEY);
      showSignIn(error.code === "forbidden" ? "not_allowed" : null, error.code === "forbidden" ? null : error);
      return false;
    },
  });
  clearInterval(state.timer);
  state.timer = setInterval(refresh, HALL_EVERY_MS);
}

async function refresh() {
  if (!state.socket?.connected) return;
  try {
    const answer = await request(state.socket, "hall");
    if (answer.ok) showHall(answer.hall);
  } catch {
    // the next tick, or the reconnection's fresh hall, brings it
  }
}

// -- the live hall -------------------------------------------------------------------------

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  return seconds < 120 ? t("seconds", { n: seconds }) : t("minutes", { n: Math.round(seconds / 60) });
}

function showHall(hall) {
  state.hall = hall;
  defaultReportDates(); // now in the centre's zone
  $("centre-title").textContent = hall.name;
  renderAlerts();
  renderServices();
  renderCounters();
  renderToday();
  loadSideLists();
}

function renderAlerts() {
  const hall = state.hall;
  const lang = catalogue.lang;
  const items = [
    ...hall.services
      .filter((s) => s.alert)
      .map((s) =>
        h("li", {
          class: "alert wait",
          text: t("alert_wait", {
            service: s.name[lang],
            wait: duration(s.longest_wait_s),
            target: duration(s.target_wait_s),
          }),
        }),
      ),
    ...hall.money_asked.map((m) =>
      h("li", {
        class: "alert money",
        text: t("alert_money", { number: m.number, service: m.service, counter: m.counter ?? "–", time: m.given_at.slice(11, 16) }),
      }),
    ),
  ];
  $("alerts").replaceChildren(...(items.length ? items : [h("li", { class: "none", text: t("no_alerts") })]));
}

function renderServices() {
  const lang = catalogue.lang;
  $("services").replaceChildren(
    ...state.hall.services.map((s) => {
      const status = s.paused_reason ? t("paused", { reason: s.paused_reason[lang] }) : s.open ? t("open") : t("closed");
      const name = s.name[lang];
      let control = null;
      if (s.paused_reason) {
        control = h("button", { type: "button", class: "button", "data-resume": s.code, "aria-label": `${t("resume")} ${name}`, text: t("resume") });
      } else if (s.open) {
        control = h("button", { type: "button", class: "button secondary", "data-pause": s.code, "aria-label": `${t("pause")} ${name}`, text: t("pause") });
      }
      return h(
        "tr",
        { class: s.alert ? "over-target" : null },
        h("th", { scope: "row", text: name }),
        h("td", { class: "numeral", text: String(s.waiting) }),
        h("td", { text: duration(s.longest_wait_s) }),
        h("td", { text: duration(s.estimated_wait_s) }),
        h("td", { text: status }),
        h("td", {}, control),
      );
    }),
  );
}

function renderCounters() {
  $("counters").replaceChildren(
    ...state.hall.counters.map((c) =>
      h(
        "tr",
        {},
        h("th", { scope: "row", class: "numeral", text: String(c.number) }),
        h("td", { text: t(`state_${c.state}`) }),
        h("td", { text: c.clerk ?? "–" }),
        h("td", { class: "numeral", text: c.ticket ?? "–" }),
        h("td", { text: c.ticket ? duration(c.since_s) : "–" }),
      ),
    ),
  );
}

function chart(id, type, labels, label, data, colour) {
  const existing = state.charts[id];
  if (existing) {
    existing.data.labels = labels;
    existing.data.datasets[0].data = data;
    existing.data.datasets[0].label = label;
    existing.update("none");
    return;
  }
  state.charts[id] = new Chart($(id), {
    type,
    data: { labels, datasets: [{ label, data, backgroundColor: colour, borderColor: colour }] },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true } },
    },
  });
}

function renderToday() {
  const hours = state.hall.hours;
  const labels = hours.map((row) => `${String(row.hour).padStart(2, "0")}:00`);
  chart("arrivals-chart", "bar", labels, t("arrivals"), hours.map((row) => row.arrivals), "#006b3f");
  chart(
    "waits-chart",
    "line",
    labels,
    t("median_wait_min"),
    hours.map((row) => (row.wait_p50_s === null ? null : Math.round(row.wait_p50_s / 6) / 10)),
    "#b22222",
  );
}

// -- pausing -------------------------------------------------------------------------------

function askPause(code) {
  const service = state.hall.services.find((s) => s.code === code);
  state.pausing = code;
  $("pause-title").textContent = t("pause_title", { service: service.name[catalogue.lang] });
  $("pause-form").hidden = false;
  $("reason-en").focus();
}

async function act(path, body) {
  $("action-error").hidden = true;
  try {
    await api(path, { method: "POST", token: state.session.token, body });
    return true;
  } catch (error) {
    $("action-error").hidden = false;
    $("action-error").textContent = t("failed", { message: error.message });
    return false;
  }
}

async function pause(event) {
  event.preventDefault();
  const reason = { en: $("reason-en").value.trim(), sw: $("reason-sw").value.trim() };
  const path = `/centres/${encodeURIComponent(centre)}/services/${encodeURIComponent(state.pausing)}/pause`;
  if (await act(path, { reason })) {
    $("pause-form").hidden = true;
    $("pause-form").reset();
    refresh();
  }
}

async function resume(code) {
  const path = `/centres/${encodeURIComponent(centre)}/services/${encodeURIComponent(code)}/resume`;
  if (await act(path)) refresh();
}

// -- print jobs and SMS --------------------------------------------------------------------

const SIDE_LISTS_EVERY_MS = 15000;
let sideListsAt = 0;

/** Failed print jobs and SMS, today's appointments, documents to collect: every 15 s at most. */
async function loadSideLists(force = false) {
  if (!force && Date.now() - sideListsAt < SIDE_LISTS_EVERY_MS) return;
  sideListsAt = Date.now();
  await Promise.all([loadJobs(), loadAppointments(), loadDocuments()]);
}

async function loadAppointments() {
  const token = state.session?.token;
  if (!token || !state.hall) return;
  try {
    const date = state.hall.now.slice(0, 10); // the centre's local date
    const booked = await api(`/centres/${encodeURIComponent(centre)}/appointments?date=${date}`, { token });
    $("appointments-panel").hidden = false;
    $("appointments").replaceChildren(
      ...(booked.length
        ? booked.map((a) => h("li", { text: `${a.start.slice(11, 16)} · ${a.service} · ${a.ref} · ${t(`appointment_${a.status}`)}` }))
        : [h("li", { class: "none", text: t("no_appointments") })]),
    );
  } catch {
    $("appointments-panel").hidden = true; // no appointments on this server
  }
}

async function loadDocuments() {
  const token = state.session?.token;
  if (!token) return;
  try {
    const ready = await api(`/centres/${encodeURIComponent(centre)}/documents?status=ready&limit=50`, { token });
    $("documents-panel").hidden = false;
    $("documents").replaceChildren(
      ...(ready.length
        ? ready.map((d) => h("li", { text: `${d.ref} · ${d.service} · ${t("ready_since", { date: d.updated_at.slice(0, 10) })}` }))
        : [h("li", { class: "none", text: t("no_documents") })]),
    );
  } catch {
    $("documents-panel").hidden = true; // no documents on this server
  }
}

async function loadJobs() {
  const token = state.session?.token;
  if (!token) return;
  try {
    const jobs = await api(`/centres/${encodeURIComponent(centre)}/print-jobs?state=failed&limit=20`, { token });
    $("jobs").replaceChildren(
      ...(jobs.length
        ? jobs.map((job) =>
            h(
              "li",
              { class: "job" },
              h("span", { text: `${job.number} · ${job.kiosk} · ${job.last_error ?? ""}` }),
              h("button", { type: "button", class: "button secondary", "data-retry": job.id, "aria-label": `${t("retry")} ${job.number}`, text: t("retry") }),
              h("button", { type: "button", class: "button secondary", "data-reprint": job.ticket, "aria-label": `${t("reprint")} ${job.number}`, text: t("reprint") }),
            ),
          )
        : [h("li", { class: "none", text: t("no_print_jobs") })]),
    );
  } catch {
    // shown again on the next refresh
  }
  try {
    const messages = await api(`/centres/${encodeURIComponent(centre)}/messages?limit=50`, { token });
    const failed = messages.filter((m) => m.status === "failed");
    $("sms-panel").hidden = false;
    $("sms").replaceChildren(
      ...(failed.length
        ? failed.map((m) =>
            h(
              "li",
              { class: "job" },
              h("span", { text: `${m.purpose} · ${m.to} · ${m.last_error ?? ""}` }),
              h("button", { type: "button", class: "button secondary", "data-retry-sms": m.id, "aria-label": `${t("retry")} SMS ${m.to}`, text: t("retry") }),
            ),
          )
        : [h("li", { class: "none", text: t("no_sms") })]),
    );
  } catch {
    $("sms-panel").hidden = true; // no SMS outbox on this server
  }
}

// -- reports -------------------------------------------------------------------------------

const SERVICE_COLUMNS = [
  ["date", "date"],
  ["service", "service"],
  ["issued", "issued"],
  ["served", "served"],
  ["no_show", "no_show"],
  ["wait_p50_s", "wait_p50"],
  ["wait_p90_s", "wait_p90"],
  ["service_p50_s", "service_p50"],
  ["feedback", "feedback"],
  ["rating_mean", "rating"],
  ["fee_more_pct", "fee_more"],
  ["asked_money_pct", "asked_money"],
  ["fees_kes", "fees"],
];
const COUNTER_COLUMNS = [
  ["counter", "counter"],
  ["clerk", "clerk"],
  ["served", "served"],
  ["service_p50_s", "service_p50"],
  ["feedback", "feedback"],
  ["rating_mean", "rating"],
  ["fee_more_pct", "fee_more"],
  ["asked_money_pct", "asked_money"],
];

function cell(key, value) {
  if (value === null || value === undefined) return "–";
  if (key.endsWith("_s")) return duration(value);
  if (key.endsWith("_pct")) return `${value}%`;
  return String(value);
}

function table(id, columns, rows) {
  const head = h("thead", {}, h("tr", {}, ...columns.map(([, label]) => h("th", { scope: "col", text: t(label) }))));
  const body = h(
    "tbody",
    {},
    ...(rows.length
      ? rows.map((row) => h("tr", {}, ...columns.map(([key]) => h("td", { text: cell(key, row[key]) }))))
      : [h("tr", {}, h("td", { colspan: String(columns.length), text: t("no_rows") }))]),
  );
  $(id).replaceChildren(head, body);
}

function reportPath(kind, format = "json") {
  const query = new URLSearchParams({ from: $("report-from").value, to: $("report-to").value, format });
  return `/centres/${encodeURIComponent(centre)}/reports/${kind}?${query}`;
}

async function showReport(event) {
  event?.preventDefault();
  const token = state.session.token;
  try {
    const [services, counters] = await Promise.all([
      api(reportPath("services"), { token }),
      api(reportPath("counters"), { token }),
    ]);
    state.report = { services, counters, from: $("report-from").value, to: $("report-to").value };
  } catch (error) {
    $("action-error").hidden = false;
    $("action-error").textContent = t("failed", { message: error.message });
    return;
  }
  $("action-error").hidden = true;
  renderReport();
}

function renderReport() {
  if (!state.report) return;
  const { services, counters } = state.report;
  table("report-services", SERVICE_COLUMNS, services);
  table("report-counters", COUNTER_COLUMNS, counters);
  const days = [...new Set(services.map((row) => row.date))];
  const served = days.map((day) => services.filter((row) => row.date === day).reduce((sum, row) => sum + row.served, 0));
  chart("served-chart", "bar", days, t("served"), served, "#006b3f");
}

/** Download a report as CSV (fetched with the bearer token, saved through a blob link). */
async function downloadCsv(kind) {
  const response = await fetch(`/api/v1${reportPath(kind, "csv")}`, {
    headers: { Authorization: `Bearer ${state.session.token}` },
  });
  if (!response.ok) return;
  const link = h("a", {
    href: URL.createObjectURL(await response.blob()),
    download: `${kind}-${centre}-${$("report-from").value}-${$("report-to").value}.csv`,
  });
  document.body.append(link);
  link.click();
  link.remove();
}

/** The current quarter's first and last dates. */
/** Today's date (YYYY-MM-DD) at the centre, whose zone the hall gives, else this browser's. */
function centreToday() {
  const timeZone = state.hall?.timezone;
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}

/** The first and last dates of the centre's present quarter. */
function thisQuarter() {
  const [year, month] = centreToday().split("-").map(Number);
  const firstMonth = Math.floor((month - 1) / 3) * 3 + 1;
  const lastDay = new Date(Date.UTC(year, firstMonth + 2, 0)).getUTCDate();
  const pad = (n) => String(n).padStart(2, "0");
  return [`${year}-${pad(firstMonth)}-01`, `${year}-${pad(firstMonth + 2)}-${pad(lastDay)}`];
}

/** The report's dates: the quarter so far, until the supervisor picks others. */
function defaultReportDates() {
  if (state.reportDatesPicked) return;
  $("report-from").value = thisQuarter()[0];
  $("report-to").value = centreToday();
}

function median(values) {
  const sorted = values.filter((v) => v !== null).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : null;
}

/** One line per service over the quarter: counts and fees summed, feedback weighted by answers. */
function quarterLines(rows) {
  const lines = new Map();
  for (const row of rows) {
    const line = lines.get(row.service) ?? { service: row.service, issued: 0, served: 0, no_show: 0, fees_kes: 0, feedback: 0, ratingSum: 0, waits: [] };
    line.issued += row.issued;
    line.served += row.served;
    line.no_show += row.no_show;
    line.fees_kes += row.fees_kes;
    line.feedback += row.feedback ?? 0;
    line.ratingSum += (row.rating_mean ?? 0) * (row.feedback ?? 0);
    line.waits.push(row.wait_p50_s);
    lines.set(row.service, line);
  }
  return [...lines.values()].map((line) => ({
    ...line,
    rating_mean: line.feedback ? Math.round((line.ratingSum / line.feedback) * 100) / 100 : null,
    wait_p50_s: median(line.waits),
  }));
}

async function printQuarter() {
  const [from, to] = thisQuarter();
  state.reportDatesPicked = true; // the quarter stays on screen after printing
  $("report-from").value = from;
  $("report-to").value = to;
  await showReport();
  if (!state.report) return;
  $("summary-title").textContent = t("quarter_title", { centre: state.hall?.name ?? centre, from, to });
  table("summary-table", [
    ["service", "service"],
    ["issued", "issued"],
    ["served", "served"],
    ["no_show", "no_show"],
    ["wait_p50_s", "typical_wait"],
    ["feedback", "feedback"],
    ["rating_mean", "rating"],
    ["fees_kes", "fees"],
  ], quarterLines(state.report.services));
  $("summary").hidden = false;
  window.print();
}

// -- tabs, language, start -----------------------------------------------------------------

function showTab(tab) {
  state.tab = tab;
  $("hall").hidden = tab !== "hall";
  $("reports").hidden = tab !== "reports";
  $("tab-hall").setAttribute("aria-pressed", String(tab === "hall"));
  $("tab-reports").setAttribute("aria-pressed", String(tab === "reports"));
}

function useLanguage(lang) {
  catalogue.use(lang);
  $("language").lang = catalogue.other;
  if (state.hall) showHall(state.hall);
  renderReport();
}

function main() {
  $("signin").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  $("language").addEventListener("click", () => useLanguage(catalogue.other));
  $("tab-hall").addEventListener("click", () => showTab("hall"));
  $("tab-reports").addEventListener("click", () => showTab("reports"));
  $("pause-form").addEventListener("submit", pause);
  $("pause-cancel").addEventListener("click", () => {
    $("pause-form").hidden = true;
  });
  $("services").addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (button?.dataset.pause) askPause(button.dataset.pause);
    if (button?.dataset.resume) resume(button.dataset.resume);
  });
  $("jobs").addEventListener("click", async (event) => {
    const button = event.target.closest("button");
    if (button?.dataset.retry && (await act(`/print-jobs/${button.dataset.retry}/retry`))) loadSideLists(true);
    if (button?.dataset.reprint && (await act(`/tickets/${encodeURIComponent(button.dataset.reprint)}/reprint`))) loadSideLists(true);
  });
  $("sms").addEventListener("click", async (event) => {
    const button = event.target.closest("button");
    if (button?.dataset.retrySms && (await act(`/messages/${button.dataset.retrySms}/retry`))) loadSideLists(true);
  });
  $("report-form").addEventListener("submit", showReport);
  $("csv-services").addEventListener("click", () => downloadCsv("services"));
  $("csv-counters").addEventListener("click", () => downloadCsv("counters"));
  $("quarterly").addEventListener("click", printQuarter);
  window.addEventListener("afterprint", () => {
    $("summary").hidden = true;
  });
  for (const id of ["report-from", "report-to"]) {
    $(id).addEventListener("change", () => {
      state.reportDatesPicked = true;
    });
  }
  defaultReportDates();
  if (state.session) start();
  else showSignIn(null);
}

main();

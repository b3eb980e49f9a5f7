// The clerk's page: sign in, choose a counter, serve. The server's state is the truth: the
// page opens its counter again on every (re)connect and shows what the server answers.

import { Catalogue, api, h, liveConnection, request, revokeToken, waitMinutes } from "/common/static/client.js";

const SESSION_KEY = "huduma.counter.session";
const QUEUES_SETTLE_MS = 800;
const SHORTCUTS = { n: "call_next", r: "recall", s: "start", c: "complete", a: "no_show" };
const ENDS_TICKET = new Set(["complete", "no_show", "transfer"]);
// Actions on the current ticket carry the number shown, so a screen that is behind (another
// tab or screen of this counter moved on) changes nothing instead of the wrong ticket.
const ON_TICKET = new Set(["call_next", "recall", "start", "complete", "no_show", "transfer"]);
const SESSION_OVER = new Set(["unauthorized", "no_credentials", "bad_token", "forbidden"]);

const catalogue = Catalogue.fromPage();
const t = (key, vars) => catalogue.t(key, vars);
const $ = (id) => document.getElementById(id);

const state = {
  session: JSON.parse(window.sessionStorage.getItem(SESSION_KEY) ?? "{}"),
  centres: [],
  services: [],
  counter: null,
  queues: [],
  queuesAt: 0,
  socket: null,
  online: false,
  busy: false,
  version: 0,
};

function saveSession() {
  window.sessionStorage.setItem(SESSION_KEY, JSON.stringify(state.session));
}

const token = () => state.session.token;
const centreCode = () => encodeURIComponent(state.session.centre);

// -- views ---------------------------------------------------------------------------------

function showView(name) {
  for (const view of ["signin", "choose", "serve"]) $(`view-${view}`).hidden = view !== name;
  $("sign-out").hidden = name === "signin";
  renderWho();
}

function renderWho() {
  const user = state.session.user;
  const centre = state.centres.find((c) => c.code === state.session.centre);
  $("who").textContent = user ? [user.username, centre?.name].filter(Boolean).join(" · ") : "";
}

function showNotice(id, text) {
  $(id).textContent = text ?? "";
  $(id).hidden = !text;
}

/** A failed API call in words: 401 ends the session, the rest is said where it happened. */
function apiProblem(error) {
  if (error.status === 401) {
    signOut(t("session_over"));
    return null;
  }
  return error.status === 0 ? t("unreachable") : error.message;
}

// -- signing in and out --------------------------------------------------------------------

function showSignIn(message) {
  showView("signin");
  showNotice("signin-error", message);
  $("username").focus();
}

async function signIn(event) {
  event.preventDefault();
  const body = { username: $("username").value.trim(), password: $("password").value };
  try {
    const result = await api("/auth/login", { method: "POST", body });
    state.session = { token: result.token, user: result.user };
    saveSession();
    $("password").value = "";
    showNotice("signin-error", null);
    await showChoose();
  } catch (error) {
    let text = error.message;
    if (error.status === 401) text = t("bad_credentials");
    else if (error.status === 429) text = t("too_many");
    else if (error.status === 0) text = t("unreachable");
    showNotice("signin-error", text);
  }
}

function signOut(message) {
  hangUp();
  revokeToken(state.session.token);
  state.session = {};
  state.counter = null;
  window.sessionStorage.removeItem(SESSION_KEY);
  showSignIn(message);
}

// -- choosing a counter --------------------------------------------------------------------

async function showChoose(note) {
  showView("choose");
  showNotice("choose-note", note);
  showNotice("choose-error", null);
  try {
    const all = await api("/centres");
    const mine = state.session.user.centres;
    state.centres = mine.length ? all.filter((c) => mine.includes(c.code)) : all;
  } catch (error) {
    showNotice("choose-error", apiProblem(error));
    return;
  }
  if (!state.centres.some((c) => c.code === state.session.centre)) state.session.centre = state.centres[0]?.code;
  $("centre").replaceChildren(...state.centres.map((c) => h("option", { value: c.code, text: c.name })));
  $("centre").value = state.session.centre ?? "";
  $("centre-field").hidden = state.centres.length <= 1;
  renderWho();
  await loadCounters();
}

async function loadCounters() {
  let counters;
  try {
    counters = await api(`/centres/${centreCode()}/counters`, { token: token() });
  } catch (error) {
    showNotice("choose-error", apiProblem(error));
    return;
  }
  $("counter").replaceChildren(
    ...counters.map((c) =>
      h("option", {
        value: String(c.number),
        text: t("counter_option", { n: c.number, services: c.services.join(", "), state: t(`state_${c.state}`) }),
      }),
    ),
  );
  if (state.session.counter) $("counter").value = String(state.session.counter);
  $("counter").focus();
}

function chooseCentre() {
  state.session.centre = $("centre").value;
  state.session.counter = null;
  renderWho();
  loadCounters();
}

function chooseCounter(event) {
  event.preventDefault();
  state.session.counter = Number($("counter").value);
  saveSession();
  serve();
}

// -- serving -------------------------------------------------------------------------------

function serve() {
  showView("serve");
  $("counter-title").textContent = t("counter_heading", { n: state.session.counter });
  connect();
}

/** The centre's name and services (names, open or closed), read again on every connect. */
async function loadCentre() {
  try {
    const [centres, services] = await Promise.all([api("/centres"), api(`/centres/${centreCode()}/services`)]);
    state.centres = centres;
    state.services = services;
  } catch (error) {
    say(apiProblem(error), true);
  }
  renderWho();
}

function connect() {
  hangUp();
  state.socket = liveConnection("/counter", {
    auth: { token: token() },
    handlers: { counter_changed: onCounterChanged, queue_changed: onQueueChanged },
    onConnect: openCounter,
    onStatus: (online) => {
      state.online = online;
      $("offline").hidden = online || state.socket === null;
      renderActions();
    },
    onRefused: (error) => {
      if (!SESSION_OVER.has(error.code)) return true;
      signOut(t("session_over"));
      return false;
    },
  });
}

/** Leave the counter's connection on purpose (that is not "connection lost"). */
function hangUp() {
  const socket = state.socket;
  state.socket = null;
  $("offline").hidden = true;
  socket?.disconnect();
}

/** (Re)open the counter: the server answers with its state and current ticket. */
async function openCounter(socket) {
  let ack;
  try {
    ack = await request(socket, "open", { centre: state.session.centre, counter: state.session.counter });
  } catch {
    return; // disconnected meanwhile: the next connect opens it again
  }
  await loadCentre();
  if (!ack.ok) {
    hangUp();
    state.session.counter = null;
    saveSession();
    showChoose();
    showNotice("choose-error", ack.error.message);
    return;
  }
  state.version += 1;
  state.counter = ack.counter;
  render();
  loadQueues();
}

/** Another screen of this counter (or the server) changed it: read it back. */
function onCounterChanged(change) {
  if (!state.counter || change.counter !== state.counter.number) return;
  state.counter.state = change.state;
  render();
  if (!state.busy) refreshCounter();
}

async function refreshCounter() {
  const version = state.version;
  try {
    const counters = await api(`/centres/${centreCode()}/counters`, { token: token() });
    const mine = counters.find((c) => c.number === state.session.counter);
    if (mine && version === state.version && !state.busy) {
      state.counter = mine;
      render();
    }
  } catch (error) {
    apiProblem(error);
  }
}

function onQueueChanged({ service, waiting, estimated_wait_s: wait }) {
  const row = state.queues.find((q) => q.service === service);
  if (!row) return;
  Object.assign(row, { waiting, estimated_wait_s: wait });
  renderQueues();
  scheduleQueues();
}

let queuesTimer = null;

function scheduleQueues() {
  clearTimeout(queuesTimer);
  queuesTimer = setTimeout(loadQueues, QUEUES_SETTLE_MS);
}

async function loadQueues() {
  if (!state.counter) return;
  try {
    state.queues = await api(`/centres/${centreCode()}/counters/${state.counter.number}/queues`, { token: token() });
    state.queuesAt = performance.now();
    renderQueues();
    await loadAppointments();
  } catch (error) {
    apiProblem(error);
  }
}

/** Today's appointments for the counter's services, with their status (a check-in moves a
 * queue, so they are read again with the queues). */
async function loadAppointments() {
  const listed = await api(`/centres/${centreCode()}/appointments`, { token: token() });
  const served = new Set(state.counter.services);
  state.appointments = listed.filter((a) => served.has(a.service));
  renderAppointments();
}

function renderAppointments() {
  const names = new Map(state.services.map((s) => [s.code, s.name[catalogue.lang]]));
  const appointments = state.appointments ?? [];
  $("no-appointments").hidden = appointments.length > 0;
  $("appointments").replaceChildren(
    ...appointments.map((a) =>
      h(
        "tr",
        { dataset: { status: a.status } },
        h("td", { class: "numeral", text: a.start.slice(11, 16) }),
        h("th", { scope: "row", class: "numeral", text: a.ref }),
        h("td", { text: names.get(a.service) ?? a.service }),
        h("td", { text: t(`appointment_${a.status}`) }),
      ),
    ),
  );
}

// -- actions -------------------------------------------------------------------------------

function allowed(action) {
  const counterState = state.counter?.state;
  const status = state.counter?.ticket?.status;
  switch (action) {
    case "call_next":
      return counterState === "open";
    case "recall":
    case "start":
    case "no_show":
      return status === "called";
    case "complete":
      return Boolean(status);
    case "transfer":
      return Boolean(status) && $("transfer-to").value !== "";
    case "pause":
      return counterState === "open";
    case "resume":
      return counterState === "paused";
    case "close":
      return counterState !== "closed" && !status;
    default:
      return false;
  }
}

async function act(action) {
  if (state.busy || !state.online || !allowed(action)) return;
  const payload = action === "transfer" ? { service: $("transfer-to").value } : {};
  const before = state.counter.ticket;
  if (ON_TICKET.has(action) && before) payload.ticket = before.number;
  let stale = false;
  state.busy = true;
  renderActions();
  try {
    const ack = await request(state.socket, action, payload);
    if (ack.ok) applied(action, ack, before);
    else stale = refused(ack.error);
  } catch (error) {
    say(t("failed", { message: error.message }), true);
  } finally {
    state.busy = false;
    renderActions();
  }
  if (stale) refreshCounter(); // another screen of this counter moved on: show what it did
}

/** Say why the server refused; true when the screen is behind the counter's state. */
function refused(error) {
  say(error.code === "queue_empty" || error.code === "service_closed" ? t(error.code) : error.message, true);
  return error.code === "invalid_state";
}

function applied(action, ack, before) {
  state.version += 1;
  if (ack.counter) state.counter = ack.counter;
  else state.counter.ticket = ENDS_TICKET.has(action) ? null : ack.ticket;
  if (action === "close") return counterClosed();
  if (action === "call_next") say(t("called", { number: ack.ticket.number }));
  if (action === "recall") say(t("recalled", { number: ack.ticket.number }));
  if (ENDS_TICKET.has(action)) say(t("finished", { number: before.number, status: outcome(action, ack.ticket) }));
  render();
}

function outcome(action, ticket) {
  if (action === "complete") return t("done");
  if (action === "no_show") return t("no_show_done");
  return t("transferred", { service: ticket.service_name[catalogue.lang] });
}

function counterClosed() {
  const number = state.session.counter;
  hangUp();
  state.counter = null;
  state.session.counter = null;
  saveSession();
  showChoose(t("counter_closed", { n: number }));
}

function onKey(event) {
  if ($("view-serve").hidden || event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
  if (event.target.closest("input, select, textarea")) return;
  const key = event.key.toLowerCase();
  if (key === "t") {
    event.preventDefault();
    $("transfer-to").focus();
  } else if (key === "p") {
    event.preventDefault();
    act(state.counter?.state === "paused" ? "resume" : "pause");
  } else if (SHORTCUTS[key]) {
    event.preventDefault();
    act(SHORTCUTS[key]);
  }
}

// -- rendering -----------------------------------------------------------------------------

function say(text, problem = false) {
  $("message").textContent = text ?? "";
  $("message").classList.toggle("problem", problem);
}

function render() {
  const counter = state.counter;
  if (!counter) return;
  $("counter-title").textContent = t("counter_heading", { n: counter.number });
  $("counter-state").textContent = t(`state_${counter.state}`);
  $("counter-state").dataset.state = counter.state;
  const ticket = counter.ticket;
  $("ticket").hidden = !ticket;
  $("no-ticket").hidden = Boolean(ticket);
  if (ticket) {
    $("ticket-number").textContent = ticket.number;
    $("ticket-service").textContent = ticket.service_name[catalogue.lang];
    $("ticket-status").textContent = t(`status_${ticket.status}`);
    $("ticket-status").dataset.status = ticket.status;
    const priority = ticket.priority !== "none";
    $("ticket-priority").hidden = !priority;
    $("ticket-priority").textContent = priority ? t("priority", { kind: t(`priority_${ticket.priority}`) }) : "";
  }
  renderTransferTargets();
  renderActions();
  renderQueues();
  tick();
}

function renderTransferTargets() {
  const select = $("transfer-to");
  const chosen = select.value;
  const current = state.counter?.ticket?.service;
  const targets = state.services.filter((s) => s.open && s.code !== current);
  select.replaceChildren(
    h("option", { value: "", text: t("choose_service") }),
    ...targets.map((s) => h("option", { value: s.code, text: s.name[catalogue.lang] })),
  );
  select.value = targets.some((s) => s.code === chosen) ? chosen : "";
}

function renderActions() {
  for (const button of document.querySelectorAll("button[data-action]")) {
    button.disabled = state.busy || !state.online || !allowed(button.dataset.action);
  }
  $("transfer-to").disabled = !state.online || !state.counter?.ticket;
}

function renderQueues() {
  const names = new Map(state.services.map((s) => [s.code, s.name[catalogue.lang]]));
  $("queues").replaceChildren(
    ...state.queues.map((queue) =>
      h(
        "tr",
        { dataset: { service: queue.service } },
        h("th", { scope: "row", text: names.get(queue.service) ?? queue.service }),
        h("td", { class: "numeral waiting", text: String(queue.waiting) }),
        h("td", { class: "numeral", text: queue.waiting ? t("minutes", { n: waitMinutes(queue.estimated_wait_s) }) : "–" }),
        h("td", { class: "numeral longest", text: "–" }),
      ),
    ),
  );
  tick();
}

/** Seconds as m:ss (or h:mm:ss). */
function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const hms = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  const [hours, minutes, secs] = hms.map((n) => String(n).padStart(2, "0"));
  return hms[0] ? `${hms[0]}:${minutes}:${secs}` : `${Number(minutes)}:${secs}`;
}

/** Once a second: the current ticket's time since its call, and each queue's longest wait. */
function tick() {
  const ticket = state.counter?.ticket;
  if (ticket?.called_at) {
    const since = (Date.now() - Date.parse(ticket.called_at)) / 1000;
    $("ticket-elapsed").textContent = t("since_called", { time: duration(since) });
  }
  const grown = (performance.now() - state.queuesAt) / 1000;
  for (const queue of state.queues) {
    const cell = document.querySelector(`#queues tr[data-service="${CSS.escape(queue.service)}"] .longest`);
    if (cell) cell.textContent = queue.waiting ? duration(queue.longest_wait_s + grown) : "–";
  }
}

// -- start ---------------------------------------------------------------------------------

function switchLanguage() {
  catalogue.use(catalogue.other);
  $("language").lang = catalogue.other;
  render();
  renderAppointments();
  if (!$("view-serve").hidden) $("counter-title").textContent = t("counter_heading", { n: state.session.counter });
}

function main() {
  $("language").lang = catalogue.other;
  $("language").addEventListener("click", switchLanguage);
  $("sign-out").addEventListener("click", () => signOut());
  $("signin").addEventListener("submit", signIn);
  $("choose").addEventListener("submit", chooseCounter);
  $("centre").addEventListener("change", chooseCentre);
  $("transfer-to").addEventListener("change", renderActions);
  for (const button of document.querySelectorAll("button[data-action]")) {
    button.addEventListener("click", () => act(button.dataset.action));
  }
  document.addEventListener("keydown", onKey);
  setInterval(tick, 1000);
  if (!state.session.token) showSignIn();
  else if (!state.session.counter) showChoose();
  else serve();
}

main();

// The citizen's own ticket on a phone: refetched whenever the hall changes, so what it
// shows is always the server's view (people ahead, estimated wait, the counter when called).

import { Catalogue, api, liveConnection, waitMinutes } from "/common/static/client.js";

const RETRY_MS = 3000;
const SETTLE_MS = 250;
const LANGUAGE_KEY = "huduma.track.language";

const ticketId = document.querySelector(".app").dataset.ticket;
const catalogue = Catalogue.fromPage();
const t = (key, vars) => catalogue.t(key, vars);
const $ = (id) => document.getElementById(id);

const state = { ticket: null, offline: false, unreachable: false, loading: null, again: false };

/** Fetch the ticket now, or once more right after a fetch already under way. */
async function load() {
  if (state.loading) {
    state.again = true;
    return;
  }
  state.loading = api(`/tickets/${encodeURIComponent(ticketId)}`);
  try {
    const ticket = await state.loading;
    state.unreachable = false;
    show(ticket);
  } catch (error) {
    if (error.status === 404) return notFound();
    state.unreachable = true;
    setTimeout(load, RETRY_MS);
  } finally {
    state.loading = null;
    renderStatus();
  }
  if (state.again) {
    state.again = false;
    load();
  }
}

let settleTimer = null;

/** Refetch shortly: a call or a queue change elsewhere may have moved this ticket up. */
function soon() {
  clearTimeout(settleTimer);
  settleTimer = setTimeout(load, SETTLE_MS);
}

function show(ticket) {
  const first = state.ticket === null;
  state.ticket = ticket;
  if (first) {
    useLanguage(window.sessionStorage.getItem(LANGUAGE_KEY) ?? ticket.language);
    loadCentreName(ticket.centre);
    connect(ticket.centre);
  }
  render();
}

function render() {
  const ticket = state.ticket;
  if (!ticket) return;
  $("loading").hidden = true;
  $("ticket").hidden = false;
  $("number").textContent = ticket.number;
  $("service").textContent = ticket.service_name[catalogue.lang];
  $("state").textContent = t(`status_${ticket.status}`);
  $("state").dataset.status = ticket.status;
  const called = ticket.status === "called";
  $("called").hidden = !called;
  $("called-counter").textContent = called ? String(ticket.counter) : "";
  $("at-counter").hidden = ticket.status !== "serving";
  $("at-counter").textContent = ticket.status === "serving" ? t("at_counter", { n: ticket.counter }) : "";
  const waiting = ticket.status === "waiting";
  $("figures").hidden = !waiting;
  $("keep-open").hidden = !waiting;
  if (waiting) {
    $("ahead").textContent = String(ticket.ahead);
    $("wait").textContent =
      ticket.ahead > 0 ? t("wait_about", { n: waitMinutes(ticket.estimated_wait_s) }) : t("wait_none");
  }
}

function notFound() {
  $("loading").hidden = true;
  $("ticket").hidden = true;
  $("not-found").hidden = false;
}

function renderStatus() {
  const key = state.unreachable ? "unreachable" : state.offline && state.ticket ? "offline" : null;
  $("status").hidden = key === null;
  $("status-text").textContent = key ? t(key) : "";
}

async function loadCentreName(centre) {
  try {
    const found = (await api("/centres")).find((c) => c.code === centre);
    if (!found) return;
    $("centre-name").removeAttribute("data-t");
    $("centre-name").textContent = found.name;
  } catch {
    setTimeout(() => loadCentreName(centre), RETRY_MS);
  }
}

function connect(centre) {
  liveConnection("/display", {
    auth: { centre, ticket: ticketId },
    handlers: {
      snapshot: load,
      ticket_changed: (event) => (event.id === ticketId ? load() : soon()),
      ticket_called: soon,
      queue_changed: soon,
    },
    onStatus: (online) => {
      state.offline = !online;
      renderStatus();
    },
  });
}

function useLanguage(lang) {
  catalogue.use(lang);
  $("language").lang = catalogue.other;
  render();
  renderStatus();
}

function main() {
  $("language").lang = catalogue.other;
  $("language").addEventListener("click", () => {
    window.sessionStorage.setItem(LANGUAGE_KEY, catalogue.other);
    useLanguage(catalogue.other);
  });
  load();
}

main();

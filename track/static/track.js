// The citizen's own ticket on a phone: the server pushes it on /ticket whenever its status,
// place or estimate changes (and in full on every reconnect), so the page asks for nothing.

import { Catalogue, api, liveConnection, sponsoredFee, waitMinutes } from "/common/static/client.js";
import { offerFeedback } from "/feedback/static/track-feedback.js";

const RETRY_MS = 3000;
const LANGUAGE_KEY = "huduma.track.language";

const ticketId = document.querySelector(".app").dataset.ticket;
const catalogue = Catalogue.fromPage();
const t = (key, vars) => catalogue.t(key, vars);
const $ = (id) => document.getElementById(id);

const state = { ticket: null, offline: false };

function show(ticket) {
  const first = state.ticket === null;
  state.ticket = ticket;
  if (first) {
    useLanguage(window.sessionStorage.getItem(LANGUAGE_KEY) ?? ticket.language);
    loadCentreName(ticket.centre);
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
  sponsoredFee($("sponsor"), catalogue, ticket);
  const called = ticket.status === "called";
  $("called").hidden = !called;
  $("called-counter").textContent = called ? String(ticket.counter) : "";
  $("at-counter").hidden = ticket.status !== "serving";
  $("at-counter").textContent = ticket.status === "serving" ? t("at_counter", { n: ticket.counter }) : "";
  if (ticket.status === "done") offerFeedback($("feedback"), ticket.id, catalogue.lang);
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
  const key = !state.offline ? null : state.ticket ? "offline" : "unreachable";
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

function connect() {
  liveConnection("/ticket", {
    auth: { ticket: ticketId },
    handlers: { ticket: show },
    onStatus: (online) => {
      state.offline = !online;
      renderStatus();
    },
    onRefused: (error) => {
      if (error.code !== "unknown_ticket") return true; // e.g. a restarting server: try again
      notFound();
      return false;
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
  connect();
}

main();

// The kiosk: categories, then services, as large buttons; a priority path; an optional
// phone number for SMS; the issued ticket with its QR code; a document's collection ticket;
// back to the start when no one touches the screen for a while.

import {
  Catalogue,
  api,
  bindDevice,
  bothLanguages,
  h,
  liveConnection,
  sponsoredFee,
  waitMinutes,
} from "/common/static/client.js";
import { DIGITS, REF_KEYS, fillKeypad, isKenyanMobile, plainRef } from "./keypad.js";

const DEFAULT_LANGUAGE = "en";
const IDLE_MS = { ticket: 15000, error: 15000, other: 30000 };
const RETRY_MS = 2000;
const DEVICE_EVERY_MS = 10000;
const REF_LENGTH = 8;

const app = document.querySelector(".app");
const centre = app.dataset.centre;
const tokenKey = `huduma.kiosk.token:${centre}`;
const catalogue = Catalogue.fromPage();
const t = (key, vars) => catalogue.t(key, vars);
const $ = (id) => document.getElementById(id);

const state = {
  token: bindDevice(tokenKey),
  services: [],
  category: null,
  priority: "none",
  sponsor: null, // at a sponsored outreach site: who pays every fee
  screen: "start",
  issue: null,
  refusedToken: false,
  offline: false,
  problem: null,
  printer: null,
  ref: "",
  refError: null,
  service: null, // the service chosen, while the phone step asks about SMS
};

// -- screens -------------------------------------------------------------------------------

function show(screen) {
  state.screen = screen;
  for (const section of document.querySelectorAll(".screen")) {
    section.hidden = section.id !== `screen-${screen}`;
  }
  const title = document.querySelector(`#screen-${screen} .screen-title, #screen-${screen} .ticket-label`);
  title.tabIndex = -1;
  title.focus({ preventScroll: true });
  window.scrollTo(0, 0);
  armIdle();
}

function startOver() {
  state.category = null;
  state.issue = null;
  state.service = null;
  clearEntries();
  renderStart();
  show("start");
  loadServices();
}

function reset() {
  state.priority = "none";
  if (catalogue.lang !== DEFAULT_LANGUAGE) switchLanguage(DEFAULT_LANGUAGE);
  startOver();
}

// -- idle ----------------------------------------------------------------------------------

let idleTimer = null;

/** Back to the start (in the first language, without priority) after a quiet while. */
function armIdle() {
  clearTimeout(idleTimer);
  const atRest = state.screen === "start" && catalogue.lang === DEFAULT_LANGUAGE && state.priority === "none";
  if (state.screen === "issuing" || atRest) return;
  idleTimer = setTimeout(reset, IDLE_MS[state.screen] ?? IDLE_MS.other);
}

// -- language ------------------------------------------------------------------------------

function switchLanguage(lang) {
  catalogue.use(lang);
  $("language").lang = catalogue.other;
  renderStart();
  renderKeypads();
  if (state.screen === "services") renderServices();
  if (state.screen === "ticket") renderTicket(state.issue.ticket);
  if (state.screen === "appointment") renderRef();
}

// -- services and categories ---------------------------------------------------------------

async function loadServices() {
  try {
    state.services = await api(`/centres/${encodeURIComponent(centre)}/services`);
    setProblem(null);
  } catch (error) {
    if (error.status === 404) return setProblem("unknown_centre");
    setProblem("unreachable");
    setTimeout(loadServices, RETRY_MS);
    return;
  }
  renderStart();
  if (state.screen === "services") renderServices();
}

async function loadCentreName() {
  try {
    const centres = await api("/centres");
    const found = centres.find((c) => c.code === centre);
    if (!found) return;
    $("centre-name").removeAttribute("data-t");
    $("centre-name").textContent = found.name;
    state.sponsor = found.sponsor;
    renderStart();
  } catch {
    setTimeout(loadCentreName, RETRY_MS);
  }
}

function categories() {
  const groups = new Map();
  for (const service of state.services) {
    const key = service.category.en;
    if (!groups.has(key)) groups.set(key, { key, category: service.category, services: [] });
    groups.get(key).services.push(service);
  }
  return [...groups.values()];
}

/** "about N min", or "no wait" when no one is ahead (an estimate is never shown as 0). */
function waitText(ahead, seconds) {
  return ahead > 0 || seconds > 0 ? t("wait_about", { n: waitMinutes(seconds) }) : t("wait_none");
}

function serviceInfo(service) {
  // A supervisor's pause says why (an agency's system is down) in the language shown.
  if (service.paused_reason) return `${t("closed")}: ${service.paused_reason[catalogue.lang]}`;
  if (!service.open) return t("closed");
  return `${t("waiting_count", { n: service.waiting })} · ${waitText(service.waiting, service.estimated_wait_s)}`;
}

/** A large button named by `name` alone; `info` is shown on it and read as its description. */
function tile(name, info, id, attributes = {}) {
  const infoId = `${id}-info`;
  return h(
    "button",
    { type: "button", class: "tile", "aria-describedby": infoId, ...attributes },
    h("span", { class: "tile-name", text: name }),
    h("span", { class: "tile-info", id: infoId, "aria-hidden": "true", text: info }),
  );
}

function renderStart() {
  const lang = catalogue.lang;
  $("categories").replaceChildren(
    ...categories().map((group, index) => {
      const count = group.services.length;
      const info = count === 1 ? t("service_count_one") : t("services_count", { n: count });
      return tile(group.category[lang], info, `category-${index}`, { "data-category": group.key });
    }),
  );
  const kind = state.priority === "none" ? null : t(`priority_${state.priority}`);
  $("priority-banner").hidden = kind === null;
  $("priority").hidden = kind !== null;
  $("priority-text").textContent = kind ? t("priority_chosen", { kind }) : "";
  $("sponsor-banner").hidden = !state.sponsor;
  if (state.sponsor) bothLanguages($("sponsor-banner"), catalogue, "sponsor_site", { sponsor: state.sponsor });
}

function renderServices() {
  const group = categories().find((g) => g.key === state.category);
  if (!group) return startOver();
  const lang = catalogue.lang;
  $("category-title").textContent = group.category[lang];
  $("services").replaceChildren(
    ...group.services.map((service) =>
      tile(service.name[lang], serviceInfo(service), `service-${service.code}`, {
        "data-service": service.code,
        "aria-disabled": service.open ? null : "true",
        class: service.open ? "tile" : "tile closed",
      }),
    ),
  );
}

function updateQueue({ service: code, waiting, estimated_wait_s: wait }) {
  const service = state.services.find((s) => s.code === code);
  if (!service) return;
  Object.assign(service, { waiting, estimated_wait_s: wait });
  const info = document.getElementById(`service-${code}-info`);
  if (info) info.textContent = serviceInfo(service);
}

// -- issuing -------------------------------------------------------------------------------

/** A random Idempotency-Key (crypto.randomUUID needs HTTPS, which a kiosk LAN may lack). */
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Issue a ticket for `service`, retrying with the same Idempotency-Key until the server
 * answers: a retry after a lost answer returns the ticket already issued, never a second.
 */
async function issue(service, phone = null) {
  const body = { service: service.code, priority: state.priority, language: catalogue.lang };
  if (phone) Object.assign(body, { phone, consent: true });
  await obtainTicket(`/centres/${encodeURIComponent(centre)}/tickets`, body);
}

/** A collection ticket for a ready document (the server gives the same one if asked again). */
async function collect(ref) {
  const path = `/centres/${encodeURIComponent(centre)}/documents/${encodeURIComponent(ref)}/collect`;
  await obtainTicket(path, { language: catalogue.lang });
}

/** POST for a ticket until the server answers, then show it (or why it was refused). */
async function obtainTicket(path, body) {
  const attempt = { key: newKey(), cancelled: false };
  state.issue = attempt;
  $("issuing-retry").hidden = true;
  $("issuing-cancel").hidden = true;
  show("issuing");
  for (;;) {
    try {
      const ticket = await api(path, {
        method: "POST",
        token: state.token,
        body,
        headers: { "Idempotency-Key": attempt.key },
      });
      if (attempt.cancelled) return;
      attempt.ticket = ticket;
      renderTicket(ticket);
      show("ticket");
      setTimeout(loadDevice, RETRY_MS); // a print that failed just now shows up here
      return;
    } catch (error) {
      if (attempt.cancelled) return;
      if (!error.retryable) return refused(error);
      $("issuing-retry").hidden = false;
      $("issuing-cancel").hidden = false;
      await sleep(RETRY_MS);
      if (attempt.cancelled) return;
    }
  }
}

function refused(error) {
  let key = "error_generic";
  if (error.status === 401 || error.status === 403) {
    key = "not_set_up";
    state.refusedToken = true;
    renderStatus();
  } else if (error.code === "service_closed" || error.code === "service_paused") key = "error_closed";
  else if (error.code === "unknown_document") return collectProblem("collect_unknown");
  else if (error.code === "not_ready") return collectProblem("collect_not_ready");
  $("error-text").textContent = t(key);
  show("error");
  loadServices();
}

function renderTicket(ticket) {
  const lang = catalogue.lang;
  $("ticket-number").textContent = ticket.number;
  $("ticket-service").textContent = ticket.service_name[lang];
  $("ticket-priority").hidden = ticket.priority === "none";
  $("ticket-appointment").hidden = !ticket.appointment;
  $("ticket-appointment").textContent = ticket.appointment
    ? t(ticket.late ? "appointment_late_tag" : "appointment_tag", { ref: ticket.appointment })
    : "";
  sponsoredFee($("ticket-sponsor"), catalogue, ticket);
  $("ticket-ahead").textContent = String(ticket.ahead ?? 0);
  $("ticket-wait").textContent = waitText(ticket.ahead, ticket.estimated_wait_s);
  $("ticket-qr").src = `/track/${encodeURIComponent(ticket.id)}/qr.svg`;
  const unprinted = printerFault(ticket.print?.printer) || printerFault(state.printer);
  $("ticket-unprinted").hidden = !unprinted;
  $("ticket-unprinted").textContent = unprinted ? t("printer_fault_ticket", { number: ticket.number }) : "";
}

// -- check-in with a booking's ref ----------------------------------------------------------

function openAppointment() {
  state.ref = "";
  state.refError = null;
  renderRef();
  show("appointment");
}

/** The ref typed so far as XXXX-XXXX, the places still to type shown as dots. */
function renderRef() {
  const typed = state.ref.padEnd(REF_LENGTH, "·");
  $("ref-typed").textContent = `${typed.slice(0, 4)}-${typed.slice(4)}`;
  $("ref-submit").disabled = state.ref.length !== REF_LENGTH;
  $("appointment-error").hidden = state.refError === null;
  $("appointment-error").textContent = state.refError ? t(state.refError) : "";
}

function typeRef(key) {
  const char = key.toUpperCase();
  if (!REF_KEYS.includes(char) || state.ref.length >= REF_LENGTH) return;
  state.ref += char;
  state.refError = null;
  renderRef();
}

function deleteRef() {
  state.ref = state.ref.slice(0, -1);
  state.refError = null;
  renderRef();
}

const CHECK_IN_ERRORS = { 404: "ref_unknown", 409: "ref_not_open", 429: "ref_too_many" };

/** Check the typed ref in: its ticket (the same one again after a second check-in). */
async function checkIn() {
  if (state.ref.length !== REF_LENGTH) return;
  const ref = `${state.ref.slice(0, 4)}-${state.ref.slice(4)}`;
  $("ref-submit").disabled = true;
  try {
    const ticket = await api(
      `/centres/${encodeURIComponent(centre)}/appointments/${encodeURIComponent(ref)}/check-in`,
      { method: "POST", token: state.token },
    );
    state.issue = { ticket };
    renderTicket(ticket);
    show("ticket");
  } catch (error) {
    if (error.status === 401 || error.status === 403) return refused(error);
    state.refError = error.code === "too_early" ? "ref_too_early" : (CHECK_IN_ERRORS[error.status] ?? "unreachable");
    renderRef();
  }
}

/** A keyboard or a QR scanner (which types like one) works on the ref screen too. */
function onKey(event) {
  if (state.screen !== "appointment" || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "Enter" && event.target.tagName !== "BUTTON") checkIn();
  else if (event.key === "Backspace") deleteRef();
  else if (event.key.length === 1) typeRef(event.key);
}

// -- the phone step and the collection keypad ----------------------------------------------

function clearEntries() {
  $("phone-number").value = "";
  $("phone-consent").checked = false;
  $("collect-ref").value = "";
  $("phone-error").hidden = true;
  $("collect-error").hidden = true;
}

/** After the service is chosen: an optional phone number, with an unticked consent box. */
function askPhone(service) {
  state.service = service;
  clearEntries();
  show("phone");
}

function sendWithPhone() {
  const phone = $("phone-number").value;
  let problem = null;
  if (!isKenyanMobile(phone)) problem = "phone_invalid";
  else if (!$("phone-consent").checked) problem = "phone_no_consent";
  $("phone-error").hidden = problem === null;
  $("phone-error").textContent = problem ? t(problem) : "";
  if (problem === null) issue(state.service, phone);
}

function sendRef() {
  const ref = plainRef($("collect-ref").value);
  if (ref.length !== 10) return collectProblem("collect_incomplete", false);
  collect(ref);
}

/** Back on the collection screen, with the ref kept, saying what is wrong. */
function collectProblem(key, reshow = true) {
  $("collect-error").hidden = false;
  $("collect-error").textContent = t(key);
  if (reshow) show("collect");
}

/** A keypad key: type into (or delete from) the field the keypad serves. */
function typeKey(button) {
  const field = $(button.closest(".keypad").dataset.for);
  const key = button.dataset.entryKey;
  if (key === "delete") field.value = field.value.slice(0, -1);
  else if (field.value.length < field.maxLength) field.value += key;
  if (field.id === "collect-ref") field.value = formatRef(field.value);
  armIdle();
}

/** XXXXX-XXXXX as it is typed, the way it is printed on the receipt. */
function formatRef(text) {
  const ref = plainRef(text).slice(0, 10);
  return ref.length > 5 ? `${ref.slice(0, 5)}-${ref.slice(5)}` : ref;
}

function renderKeypads() {
  fillKeypad($("phone-keys"), DIGITS, t("key_delete"));
  fillKeypad($("collect-keys"), REF_KEYS, t("key_delete"));
  fillKeypad($("keypad"), REF_KEYS); // the booking's ref: its Delete is beside the keypad
}

// -- connection, printer and problems ------------------------------------------------------

/** The notice at the top: the kiosk's own set-up first, then the server, then the printer. */
function setProblem(problem) {
  state.problem = problem;
  renderStatus();
}

const printerFault = (printer) => printer?.state === "fault";

function renderStatus() {
  let key = null;
  if (!state.token || state.refusedToken) key = "not_set_up";
  else if (state.problem) key = state.problem;
  else if (state.offline) key = "offline";
  else if (printerFault(state.printer)) key = "printer_fault";
  $("status").hidden = key === null;
  $("status-text").textContent = key ? t(key) : "";
  $("main").hidden = key === "not_set_up" || key === "unknown_centre";
}

/** This kiosk as the server knows it: its token is checked, its printer's state read. */
async function loadDevice() {
  if (!state.token) return;
  try {
    const device = await api("/devices/me", { token: state.token });
    state.printer = device.printer;
    state.refusedToken = false;
  } catch (error) {
    if (error.status === 401 || error.status === 403) state.refusedToken = true;
  }
  renderStatus();
  if (state.screen === "ticket") renderTicket(state.issue.ticket);
}

function connect() {
  liveConnection("/display", {
    auth: { centre },
    handlers: { snapshot: loadServices, queue_changed: updateQueue, service_changed: loadServices },
    onStatus: (online) => {
      state.offline = !online;
      renderStatus();
    },
    onRefused: (error) => {
      if (error.code === "unknown_centre") setProblem("unknown_centre");
      return error.code !== "unknown_centre";
    },
  });
}

// -- events --------------------------------------------------------------------------------

function onClick(event) {
  const button = event.target.closest("button");
  if (!button || button.getAttribute("aria-disabled") === "true") return;
  if (button.id === "language") return switchLanguage(catalogue.other);
  if (button.id === "priority") return show("priority");
  if (button.id === "appointment") return openAppointment();
  if (button.closest("#keypad")) return typeRef(button.dataset.entryKey);
  if (button.dataset.entryKey) return typeKey(button);
  if (button.id === "ref-delete") return deleteRef();
  if (button.id === "ref-submit") return checkIn();
  if (button.id === "priority-cancel") {
    state.priority = "none";
    renderStart();
    return armIdle();
  }
  if (button.id === "issuing-cancel") {
    state.issue.cancelled = true;
    return startOver();
  }
  if (button.dataset.action === "start") return startOver();
  if (button.id === "collect") {
    clearEntries();
    return show("collect");
  }
  if (button.id === "collect-send") return sendRef();
  if (button.id === "phone-send") return sendWithPhone();
  if (button.id === "phone-skip") return issue(state.service);
  if (button.dataset.priority) {
    state.priority = button.dataset.priority;
    renderStart();
    return show("start");
  }
  if (button.dataset.category) {
    state.category = button.dataset.category;
    renderServices();
    return show("services");
  }
  if (button.dataset.service) {
    const service = state.services.find((s) => s.code === button.dataset.service);
    if (service?.open) askPhone(service);
  }
}

function main() {
  $("language").lang = catalogue.other;
  renderKeypads();
  document.addEventListener("click", onClick);
  document.addEventListener("keydown", onKey);
  for (const type of ["pointerdown", "keydown"]) document.addEventListener(type, armIdle, true);
  renderStatus();
  loadCentreName();
  loadDevice();
  setInterval(loadDevice, DEVICE_EVERY_MS);
  connect();
}

main();

// The booking page: a service, a day with free places, a time, an optional phone with
// consent; then the ref in large type, its QR code, a calendar file and cancelling.

import { Catalogue, api, h } from "/common/static/client.js";

const app = document.querySelector(".app");
const centre = app.dataset.centre;
const catalogue = Catalogue.fromPage();
const t = (key, vars) => catalogue.t(key, vars);
const $ = (id) => document.getElementById(id);
const path = (part) => encodeURIComponent(part);

const state = {
  info: null,
  service: null,
  days: [],
  day: null,
  slots: [],
  slotsTaken: false,
  slot: null,
  booking: null,
  key: null,
  step: "service",
};

// -- steps ---------------------------------------------------------------------------------

function show(step) {
  state.step = step;
  for (const section of document.querySelectorAll(".step")) section.hidden = section.id !== `step-${step}`;
  const title = $(`step-${step}`).querySelector(".step-title");
  title.tabIndex = -1;
  title.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

function setProblem(key) {
  $("problem").hidden = key === null;
  $("problem").textContent = key ? t(key) : "";
}

/** Run an API call; on failure say so at the top and resolve to null. */
async function load(call) {
  try {
    const result = await call();
    setProblem(null);
    return result;
  } catch (error) {
    setProblem(error.status === 404 ? "unknown_centre" : "unreachable");
    return null;
  }
}

// -- how dates and times read --------------------------------------------------------------

const locale = () => (catalogue.lang === "sw" ? "sw-KE" : "en-KE");

/** "Tuesday 24 November" for a local date YYYY-MM-DD. */
function dayText(date) {
  const [y, m, d] = date.split("-").map(Number);
  const format = new Intl.DateTimeFormat(locale(), { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" });
  return format.format(new Date(Date.UTC(y, m - 1, d, 12)));
}

/** The centre's local time of an ISO time with its offset: "10:15". */
const timeText = (iso) => iso.slice(11, 16);
const slotText = (slot) => `${timeText(slot.start)}–${timeText(slot.end)}`;
const whenText = (slot) => `${dayText(slot.start.slice(0, 10))}, ${slotText(slot)}`;

// -- the steps' contents -------------------------------------------------------------------

async function loadInfo() {
  const info = await load(() => api(`/centres/${path(centre)}/booking`));
  if (!info) return;
  state.info = info;
  $("centre-name").removeAttribute("data-t");
  $("centre-name").textContent = info.name;
  renderServices();
}

function choice(name, info, attributes) {
  return h(
    "button",
    { type: "button", class: "choice", ...attributes },
    h("span", { class: "choice-name", text: name }),
    info ? h("span", { class: "choice-info", text: info }) : null,
  );
}

function renderServices() {
  const lang = catalogue.lang;
  const services = state.info?.services ?? [];
  $("no-services").hidden = !state.info || services.length > 0;
  $("services").replaceChildren(
    ...services.map((s) => choice(s.name[lang], s.category[lang], { "data-service": s.code })),
  );
}

async function chooseService(code) {
  state.service = state.info.services.find((s) => s.code === code);
  const days = await load(() => api(`/centres/${path(centre)}/services/${path(code)}/days`));
  if (!days) return;
  state.days = days;
  renderDays();
  show("day");
}

function renderDays() {
  $("day-service").textContent = state.service.name[catalogue.lang];
  $("no-days").hidden = state.days.length > 0;
  $("days").replaceChildren(
    ...state.days.map((d) => choice(dayText(d.date), t("free_places", { n: d.free }), { "data-day": d.date })),
  );
}

async function chooseDay(date) {
  const url = `/centres/${path(centre)}/services/${path(state.service.code)}/slots?date=${date}`;
  const slots = await load(() => api(url));
  if (!slots) return;
  state.day = date;
  state.slots = slots.filter((s) => s.free > 0);
  state.slotsTaken = false;
  renderSlots();
  show("slot");
}

function renderSlots() {
  $("slot-day").textContent = state.slotsTaken
    ? state.service.name[catalogue.lang]
    : `${state.service.name[catalogue.lang]} · ${dayText(state.day)}`;
  $("slot-taken").hidden = !state.slotsTaken;
  $("slots").replaceChildren(
    ...state.slots.map((s, i) =>
      choice(state.slotsTaken ? whenText(s) : slotText(s), t("free_places", { n: s.free }), { "data-slot": String(i) }),
    ),
  );
}

function chooseSlot(index) {
  state.slot = state.slots[Number(index)];
  state.key = newKey();
  $("details-slot").textContent = `${state.service.name[catalogue.lang]} · ${whenText(state.slot)}`;
  $("details-error").hidden = true;
  show("details");
}

/** A random Idempotency-Key: a retried tap never books twice. */
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// -- booking -------------------------------------------------------------------------------

const BOOKING_ERRORS = {
  consent_required: "consent_needed",
  already_booked: "already_booked",
  invalid_value: "bad_phone",
};

async function book(event) {
  event.preventDefault();
  const phone = $("phone").value.trim();
  const consent = $("consent").checked;
  const body = { service: state.service.code, start: state.slot.start, language: catalogue.lang };
  if (phone) Object.assign(body, { phone, consent });
  $("book").disabled = true;
  try {
    const booking = await api(`/centres/${path(centre)}/appointments`, {
      method: "POST",
      body,
      headers: { "Idempotency-Key": state.key },
    });
    state.booking = booking;
    renderDone();
    show("done");
  } catch (error) {
    if (error.code === "slot_full" || error.code === "slot_past") return showNearest();
    const key = BOOKING_ERRORS[error.code] ?? (error.status === 0 ? "unreachable" : "error_generic");
    $("details-error").hidden = false;
    $("details-error").textContent = t(key);
  } finally {
    $("book").disabled = false;
  }
}

/** The chosen time was filled meanwhile: offer the nearest free times instead. */
async function showNearest() {
  const after = encodeURIComponent(state.slot.start);
  const url = `/centres/${path(centre)}/services/${path(state.service.code)}/free-slots?after=${after}`;
  const slots = await load(() => api(url));
  if (!slots) return;
  state.slots = slots;
  state.slotsTaken = true;
  renderSlots();
  show("slot");
}

function renderDone() {
  const booking = state.booking;
  $("ref").textContent = booking.ref;
  $("done-slot").textContent = `${state.service?.name[catalogue.lang] ?? booking.service} · ${whenText(booking)}`;
  const cancelled = booking.status === "cancelled";
  $("done-status").textContent = t(cancelled ? "cancelled" : "booked_status");
  $("ref-qr").src = `/book/qr/${encodeURIComponent(booking.ref)}.svg`;
  $("ics").href = `/book/${path(centre)}/${encodeURIComponent(booking.ref)}.ics`;
  $("checkin-hint").textContent = t("checkin_hint", {
    early: Math.round(state.info.checkin_early_s / 60),
    late: Math.round(state.info.checkin_late_s / 60),
  });
  $("cancel").hidden = cancelled;
  $("cancel-confirm").hidden = true;
}

async function cancelBooking() {
  try {
    state.booking = await api(`/appointments/${encodeURIComponent(state.booking.ref)}/cancel`, { method: "POST" });
    renderDone();
  } catch {
    $("cancel-confirm").hidden = true;
    $("done-status").textContent = t("cancel_failed");
  }
}

// -- events --------------------------------------------------------------------------------

function switchLanguage() {
  catalogue.use(catalogue.other);
  $("language").lang = catalogue.other;
  if (state.info) {
    $("centre-name").textContent = state.info.name;
    renderServices();
  }
  if (state.step === "day") renderDays();
  if (state.step === "slot") renderSlots();
  if (state.step === "details") $("details-slot").textContent = `${state.service.name[catalogue.lang]} · ${whenText(state.slot)}`;
  if (state.step === "done") renderDone();
}

function onClick(event) {
  const button = event.target.closest("button");
  if (!button) return;
  if (button.id === "language") return switchLanguage();
  if (button.dataset.service) return chooseService(button.dataset.service);
  if (button.dataset.day) return chooseDay(button.dataset.day);
  if (button.dataset.slot) return chooseSlot(button.dataset.slot);
  if (button.dataset.back) return show(button.dataset.back);
  if (button.id === "cancel") {
    $("cancel-confirm").hidden = false;
    return $("cancel-yes").focus();
  }
  if (button.id === "cancel-yes") return cancelBooking();
  if (button.id === "cancel-keep") {
    $("cancel-confirm").hidden = true;
    return $("cancel").focus();
  }
  if (button.id === "another") {
    state.booking = null;
    $("details").reset();
    return show("service");
  }
}

function main() {
  $("language").lang = catalogue.other;
  document.addEventListener("click", onClick);
  $("details").addEventListener("submit", book);
  loadInfo();
}

main();

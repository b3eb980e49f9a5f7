// The hall display: the server's snapshot on every (re)connect, then live calls and queue
// changes. Each call is announced by a chime and a voice in English and Kiswahili, one
// announcement after another, never two at once.

import { Catalogue, api, h, liveConnection } from "/common/static/client.js";

const RECENT_CALLS = 8;
const CLIP_LIMIT_MS = 15000;
const VOICES = ["en", "sw"];

const app = document.querySelector(".app");
const centre = app.dataset.centre;
const catalogue = Catalogue.fromPage();
const $ = (id) => document.getElementById(id);
const player = $("player");

const state = { timezone: "Africa/Nairobi", calls: [], waiting: {}, services: [] };

// -- the hall ------------------------------------------------------------------------------

function onSnapshot(snapshot) {
  state.timezone = snapshot.timezone;
  state.calls = snapshot.recent.slice(0, RECENT_CALLS); // the day's last calls, finished or not
  state.waiting = { ...snapshot.waiting };
  $("centre-name").removeAttribute("data-t");
  $("centre-name").textContent = snapshot.name;
  renderCalls(false);
  renderWaiting();
  setConnected(true);
  tick();
  loadServices();
}

function onCalled(call) {
  state.calls = [call, ...state.calls.filter((c) => c.number !== call.number)].slice(0, RECENT_CALLS);
  renderCalls(true);
  announce(call);
}

function onQueueChanged({ service, waiting }) {
  state.waiting[service] = waiting;
  renderWaiting();
}

async function loadServices() {
  try {
    state.services = await api(`/centres/${encodeURIComponent(centre)}/services`);
    renderWaiting();
    renderPaused();
  } catch {
    // The counts still show, under the service codes, until the next snapshot.
  }
}

function renderCalls(fresh) {
  const [latest] = state.calls;
  $("latest").hidden = !latest;
  $("no-calls").hidden = Boolean(latest);
  if (latest) {
    $("latest-number").textContent = latest.number;
    $("latest-counter").textContent = String(latest.counter);
    if (fresh) flash($("latest"));
  }
  $("calls").replaceChildren(
    ...state.calls.map((call, index) =>
      h(
        "li",
        { class: index === 0 ? "call current" : "call" },
        h("span", { class: "call-number numeral", text: call.number }),
        h(
          "span",
          { class: "call-counter" },
          h("span", { class: "visually-hidden", text: `${catalogue.t("counter", {}, "en")} ` }),
          h("span", { class: "numeral", text: String(call.counter) }),
        ),
      ),
    ),
  );
}

function flash(element) {
  element.classList.remove("fresh");
  void element.offsetWidth; // restart the animation
  element.classList.add("fresh");
}

function renderWaiting() {
  const services = state.services.length
    ? state.services.filter((s) => s.open)
    : Object.keys(state.waiting).map((code) => ({ code, name: { en: code, sw: code } }));
  $("waiting").replaceChildren(
    ...services.map((service) => {
      const count = state.waiting[service.code] ?? 0;
      return h(
        "li",
        { class: count > 0 ? "waiting-item" : "waiting-item empty" },
        h(
          "span",
          { class: "waiting-names" },
          h("span", { class: "waiting-name", text: service.name.en }),
          h("span", { class: "waiting-name-sw", lang: "sw", text: service.name.sw }),
        ),
        h("span", { class: "waiting-count numeral", text: String(count) }),
      );
    }),
  );
}

/** A notice for each service a supervisor paused, with its reason in both languages. */
function renderPaused() {
  const paused = state.services.filter((s) => s.paused_reason);
  $("paused").hidden = paused.length === 0;
  $("paused").replaceChildren(
    ...paused.map((service) =>
      h(
        "li",
        { class: "paused-item" },
        h("span", { class: "paused-en", text: `${service.name.en}: ${catalogue.t("paused", {}, "en")}. ${service.paused_reason.en}` }),
        h("span", { class: "paused-sw", lang: "sw", text: `${service.name.sw}: ${catalogue.t("paused", {}, "sw")}. ${service.paused_reason.sw}` }),
      ),
    ),
  );
}

/** Without a live link the screen says so, instead of showing figures that may be stale. */
function setConnected(connected) {
  $("board").classList.toggle("stale", !connected);
  $("board").setAttribute("aria-hidden", String(!connected));
  $("lost").hidden = connected;
}

// -- the clock -----------------------------------------------------------------------------

function tick() {
  const now = new Date();
  const timeZone = state.timezone;
  $("time").textContent = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit" }).format(now);
  $("date-en").textContent = new Intl.DateTimeFormat("en-GB", { timeZone, dateStyle: "full" }).format(now);
  $("date-sw").textContent = new Intl.DateTimeFormat("sw", { timeZone, dateStyle: "full" }).format(now);
}

// -- announcements -------------------------------------------------------------------------

const queue = [];
let announcing = false;

function announce(call) {
  queue.push(call);
  if (!announcing) drain();
}

/** Play queued calls one by one: the chime, then the voice in each language. */
async function drain() {
  announcing = true;
  while (queue.length > 0) {
    const call = queue.shift();
    if ((await play(app.dataset.chime)) === "blocked") continue;
    for (const lang of VOICES) {
      const query = new URLSearchParams({ number: call.number, counter: call.counter, lang });
      if ((await play(`${app.dataset.announcement}?${query}`, logEntry(call, lang))) === "blocked") break;
    }
  }
  announcing = false;
}

/** A line of the (screen-reader) log of announcements, added when its audio starts. */
function logEntry(call, lang) {
  const text = catalogue.t("announcement", { number: call.number, counter: call.counter }, lang);
  return h("p", { lang, dataset: { number: call.number, counter: String(call.counter), lang }, text });
}

/** Play one clip to its end; resolves to "played", "failed" or "blocked" (autoplay policy). */
function play(src, entry = null) {
  return new Promise((resolve) => {
    const finish = (outcome) => {
      clearTimeout(limit);
      player.removeEventListener("playing", started);
      player.removeEventListener("ended", ended);
      player.removeEventListener("error", failed);
      if (entry?.isConnected) Object.assign(entry.dataset, { outcome, ended: String(performance.now()) });
      if (outcome === "blocked") $("enable-sound").hidden = false;
      resolve(outcome);
    };
    const started = () => {
      if (!entry || entry.isConnected) return;
      entry.dataset.started = String(performance.now());
      $("announcements").append(entry);
    };
    const ended = () => finish("played");
    const failed = () => finish("failed");
    const limit = setTimeout(() => {
      player.pause();
      finish("failed");
    }, CLIP_LIMIT_MS);
    player.addEventListener("playing", started);
    player.addEventListener("ended", ended);
    player.addEventListener("error", failed);
    player.src = src;
    player.play().catch((error) => finish(error.name === "NotAllowedError" ? "blocked" : "failed"));
  });
}

/** Find out at start whether the browser lets this page play sound without a tap. */
async function probeSound() {
  player.volume = 0;
  player.src = app.dataset.chime;
  try {
    await player.play();
    player.pause();
  } catch (error) {
    if (error.name === "NotAllowedError") $("enable-sound").hidden = false;
  } finally {
    player.volume = 1;
  }
}

async function enableSound() {
  player.src = app.dataset.chime;
  try {
    await player.play();
    $("enable-sound").hidden = true;
  } catch {
    // Still not allowed: the button stays for another tap.
  }
}

// -- start ---------------------------------------------------------------------------------

async function main() {
  $("enable-sound").addEventListener("click", enableSound);
  setConnected(false);
  $("lost").hidden = true; // not "lost" before the first connection, just not there yet
  tick();
  setInterval(tick, 1000);
  await probeSound();
  liveConnection("/display", {
    auth: { centre },
    handlers: {
      snapshot: onSnapshot,
      ticket_called: onCalled,
      queue_changed: onQueueChanged,
      service_changed: loadServices,
    },
    onStatus: (online) => {
      if (!online) setConnected(false);
    },
    onRefused: (error) => {
      if (error.code !== "unknown_centre") return true;
      $("lost").hidden = true;
      $("unknown").hidden = false;
      return false;
    },
  });
}

main();

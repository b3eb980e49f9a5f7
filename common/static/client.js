// What every page shares: its English/Kiswahili catalogue, the HTTP API, and a Socket.IO
// connection that heals itself after any disconnect.

import { io } from "/vendor/socket.io.esm.min.js";

export const LANGUAGES = ["en", "sw"];

/** The page's texts in English and Kiswahili, embedded by its template as JSON. */
export class Catalogue {
  constructor(messages, lang = "en") {
    this.messages = messages;
    this.lang = lang;
  }

  /** The catalogue of this page (the `#catalogue` JSON block), in the page's language. */
  static fromPage() {
    const messages = JSON.parse(document.getElementById("catalogue").textContent);
    return new Catalogue(messages, document.documentElement.lang || "en");
  }

  /** The other language: what a language switch offers. */
  get other() {
    return this.lang === "en" ? "sw" : "en";
  }

  /** The text for `key` with `{name}` placeholders filled from `vars`. */
  t(key, vars = {}, lang = this.lang) {
    const text = this.messages[lang]?.[key] ?? this.messages.en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
  }

  /** Switch language and re-translate every marked element of the page. */
  use(lang) {
    this.lang = LANGUAGES.includes(lang) ? lang : "en";
    document.documentElement.lang = this.lang;
    this.translate(document);
  }

  /** Fill elements marked data-t (their text) and data-t-alt (an image's alt text). */
  translate(root) {
    for (const element of root.querySelectorAll("[data-t]")) {
      element.textContent = this.t(element.dataset.t);
    }
    for (const element of root.querySelectorAll("[data-t-alt]")) {
      element.alt = this.t(element.dataset.tAlt);
    }
  }
}

/** A failed API call: `status` 0 when the server could not be reached at all. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** Whether trying the same request again may succeed (unreachable, overloaded, 5xx). */
  get retryable() {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/** Call the HTTP API (`/api/v1` + path); resolves to the JSON body or throws ApiError. */
export async function api(path, { method = "GET", token, body, headers = {}, timeoutMs = 8000 } = {}) {
  const init = {
    method,
    headers: { Accept: "application/json", ...headers },
    cache: "no-store",
    signal: AbortSignal.timeout(timeoutMs),
  };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`/api/v1${path}`, init);
  } catch (error) {
    throw new ApiError(0, "unreachable", error.message);
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = data?.error ?? {};
    throw new ApiError(response.status, error.code ?? "http_error", error.message ?? response.statusText);
  }
  return data;
}

/** Sign a user's token out on the server (`POST /auth/logout`), so that a copy of it left
 * behind on a shared counter PC is worth nothing; never fails the sign-out itself. */
export function revokeToken(token) {
  if (!token) return Promise.resolve();
  return api("/auth/logout", { method: "POST", token }).catch(() => {});
}

const RETRY_REFUSED_MS = 3000;

/**
 * A Socket.IO connection to `namespace` that reconnects forever.
 *
 * `handlers` maps event names to functions. `onConnect` runs on every (re)connect, where a
 * page asks for or receives the server's full state again; `onStatus(online)` follows the
 * link. A connection the server refused (`onRefused(error)` returns false) is given up;
 * otherwise it is tried again, since a restarting server refuses for a moment too. A
 * connection the server dropped because access was withdrawn (`access_revoked {code,
 * message}`, then a disconnect) is handled alike; any other drop by the server reconnects.
 */
export function liveConnection(namespace, { auth = {}, handlers = {}, onConnect, onStatus, onRefused } = {}) {
  const socket = io(namespace, {
    auth,
    reconnectionDelay: 500,
    reconnectionDelayMax: 2000,
  });
  let revoked = null; // why the server is dropping this connection, when it said
  const refused = (error) => {
    const retry = onRefused ? onRefused(error) : true;
    if (retry !== false) setTimeout(() => socket.connect(), RETRY_REFUSED_MS);
  };
  for (const [event, handler] of Object.entries(handlers)) socket.on(event, handler);
  socket.on("connect", () => {
    revoked = null;
    onStatus?.(true);
    onConnect?.(socket);
  });
  socket.on("access_revoked", (error) => {
    revoked = error;
  });
  socket.on("disconnect", (reason) => {
    onStatus?.(false);
    // The manager reconnects by itself, except after the server's own disconnect.
    if (reason !== "io server disconnect") return;
    if (revoked) refused(revoked);
    else socket.connect();
  });
  socket.on("connect_error", (error) => {
    onStatus?.(false);
    if (socket.active) return; // the manager is already trying again
    refused(error.data ?? { code: "refused", message: error.message });
  });
  return socket;
}

/** Emit `event` and resolve to the server's acknowledgement (rejects after `timeoutMs`). */
export function request(socket, event, payload = {}, timeoutMs = 8000) {
  // Never buffer an action while offline: it would run later, when no one expects it.
  if (!socket.connected) return Promise.reject(new Error("not connected"));
  return socket.timeout(timeoutMs).emitWithAck(event, payload);
}

/** Whole minutes, rounded up, of a wait in seconds (a wait is never promised too short). */
export function waitMinutes(seconds) {
  return Math.max(1, Math.ceil(seconds / 60));
}

/** Create an element with attributes (`text` sets its text) and children. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") element.textContent = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}

/** Fill `element` with a text in the language shown, then the same in the other language
 * (what the sponsor pays, which every visitor should read in both). */
export function bothLanguages(element, catalogue, key, vars = {}) {
  element.replaceChildren(
    h("span", { class: "first", text: catalogue.t(key, vars) }),
    h("span", { class: "second", lang: catalogue.other, text: catalogue.t(key, vars, catalogue.other) }),
  );
}

/** A ticket's fee paid by the sponsor of an outreach site, in both languages (the catalogue's
 * `sponsor_fee` / `sponsor_fees`); hidden when the citizen pays. */
export function sponsoredFee(element, catalogue, ticket) {
  element.hidden = ticket.paid_by !== "sponsor";
  if (element.hidden) return;
  const key = ticket.fee_kes ? "sponsor_fee" : "sponsor_fees";
  bothLanguages(element, catalogue, key, { fee: ticket.fee_kes, sponsor: ticket.sponsor });
}

/** A device page's token: given once as `?token=…`, kept in the browser, taken out of the address. */
export function bindDevice(tokenKey) {
  const url = new URL(window.location.href);
  const given = url.searchParams.get("token");
  if (given) {
    window.localStorage.setItem(tokenKey, given);
    url.searchParams.delete("token");
    window.history.replaceState(null, "", `${url.pathname}${url.search}${url.hash}`);
  }
  return window.localStorage.getItem(tokenKey);
}

// Track my Service for staff: lodge a document and read its ref out large, mark a box of
// arrived documents ready (typed or scanned refs), and move documents forward by status.

import { Catalogue, api, h, revokeToken } from "/common/static/client.js";

const SESSION_KEY = "huduma.documents.session";
const NEXT = { lodged: "in_process", in_process: "ready", ready: "collected" };

const centre = document.querySelector(".app").dataset.centre;
const catalogue = Catalogue.fromPage();
const t = (key, vars) => catalogue.t(key, vars);
const $ = (id) => document.getElementById(id);

const state = {
  session: JSON.parse(window.sessionStorage.getItem(SESSION_KEY) ?? "null"),
  documents: [],
  services: [],
};

const call = (path, options = {}) => api(path, { token: state.session?.token, ...options });
const centrePath = (rest) => `/centres/${encodeURIComponent(centre)}${rest}`;

function showError(error) {
  $("action-error").hidden = error === null;
  $("action-error").textContent = error ? t("error", { message: error.message }) : "";
  if (error?.status === 401) signOut();
}

// -- signing in ----------------------------------------------------------------------------

async function signIn(event) {
  event.preventDefault();
  const body = { username: $("username").value.trim(), password: $("password").value };
  try {
    const result = await api("/auth/login", { method: "POST", body });
    state.session = { token: result.token };
    window.sessionStorage.setItem(SESSION_KEY, JSON.stringify(state.session));
    $("signin-error").hidden = true;
    start();
  } catch {
    $("signin-error").hidden = false;
    $("signin-error").textContent = t("sign_in_failed");
  }
}

function signOut() {
  revokeToken(state.session?.token);
  state.session = null;
  window.sessionStorage.removeItem(SESSION_KEY);
  start();
}

// -- lodging, batches, the list ------------------------------------------------------------

async function lodge(event) {
  event.preventDefault();
  const body = {
    service: $("lodge-service").value,
    phone: $("lodge-phone").value,
    consent: $("lodge-consent").checked,
    language: $("lodge-language").value,
  };
  try {
    const lodged = await call(centrePath("/documents"), { method: "POST", body });
    showError(null);
    $("lodged").hidden = false;
    $("lodged-ref").textContent = lodged.ref;
    $("lodge-phone").value = "";
    $("lodge-consent").checked = false;
    loadDocuments();
  } catch (error) {
    showError(error);
  }
}

async function markReady(event) {
  event.preventDefault();
  const refs = $("ready-refs").value.split(/[\s,;]+/).filter(Boolean);
  if (refs.length === 0) return;
  try {
    const result = await call(centrePath("/documents/ready"), { method: "POST", body: { refs } });
    showError(null);
    const unknown = result.unknown.length ? ` ${t("unknown_refs", { refs: result.unknown.join(", ") })}` : "";
    $("ready-result").textContent = t("ready_result", { n: result.ready }) + unknown;
    $("ready-refs").value = result.unknown.join("\n");
    loadDocuments();
  } catch (error) {
    showError(error);
  }
}

async function move(ref, status) {
  try {
    await call(`/documents/${encodeURIComponent(ref)}/status`, { method: "POST", body: { status } });
    showError(null);
    loadDocuments();
  } catch (error) {
    showError(error);
  }
}

async function loadDocuments() {
  const status = $("list-status").value;
  try {
    state.documents = await call(centrePath(`/documents?limit=200${status ? `&status=${status}` : ""}`));
    renderDocuments();
  } catch (error) {
    showError(error);
  }
}

function renderDocuments() {
  $("list-empty").hidden = state.documents.length > 0;
  $("list").replaceChildren(
    ...state.documents.map((doc) => {
      const next = NEXT[doc.status];
      const action = next
        ? h("button", { type: "button", class: "button secondary", dataset: { ref: doc.ref, status: next }, text: t(`move_${next}`), "aria-label": `${t(`move_${next}`)} ${doc.ref}` })
        : "";
      return h(
        "tr",
        {},
        h("td", { class: "ref", text: doc.ref }),
        h("td", { text: doc.service }),
        h("td", { text: t(doc.status) }),
        h("td", { text: new Date(doc.updated_at).toLocaleString(catalogue.lang === "sw" ? "sw-KE" : "en-KE") }),
        h("td", {}, action),
      );
    }),
  );
}

async function loadServices() {
  try {
    state.services = await api(centrePath("/services"));
  } catch (error) {
    return showError(error);
  }
  $("lodge-service").replaceChildren(
    ...state.services.map((s) => h("option", { value: s.code, text: s.name[catalogue.lang] })),
  );
}

// -- the page ------------------------------------------------------------------------------

function start() {
  const signedIn = state.session !== null;
  $("view-signin").hidden = signedIn;
  $("view-work").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
  if (signedIn) {
    loadServices();
    loadDocuments();
  }
}

function switchLanguage() {
  catalogue.use(catalogue.other);
  $("language").lang = catalogue.other;
  if (state.session) {
    renderDocuments();
    loadServices();
  }
}

$("language").lang = catalogue.other;
$("language").addEventListener("click", switchLanguage);
$("sign-out").addEventListener("click", signOut);
$("signin").addEventListener("submit", signIn);
$("lodge").addEventListener("submit", lodge);
$("ready").addEventListener("submit", markReady);
$("list-status").addEventListener("change", loadDocuments);
$("list").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-ref]");
  if (button) move(button.dataset.ref, button.dataset.status);
});
start();

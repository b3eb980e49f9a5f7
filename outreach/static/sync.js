// A site's sync status for its supervisor: "last sent …, N waiting to be sent", read again
// every few seconds (the worker sends on its own; this page only watches).

import { Catalogue, api } from "/common/static/client.js";

const POLL_MS = 5000;
const catalogue = Catalogue.fromPage();
const t = (key, vars) => catalogue.t(key, vars);
const $ = (id) => document.getElementById(id);
const state = { status: null, problem: null };

function when(iso) {
  return new Date(iso).toLocaleString(catalogue.lang === "sw" ? "sw-KE" : "en-KE", {
    dateStyle: "medium",
    timeStyle: "short",
  });
}

function render() {
  const status = state.status;
  if (state.problem) {
    $("sync-summary").textContent = t(state.problem);
    $("sync-detail").textContent = "";
    return;
  }
  if (!status) return;
  $("centre-name").removeAttribute("data-t");
  $("centre-name").textContent = `Huduma Mashinani ${status.centre}`;
  const n = status.pending;
  $("sync-summary").textContent = status.last_success_at
    ? t("sync_summary", { when: when(status.last_success_at), n })
    : t("sync_never", { n });
  $("sync-detail").textContent = status.last_error
    ? t("sync_error", { error: status.last_error })
    : n === 0
      ? t("sync_all_sent")
      : "";
}

async function poll() {
  try {
    state.status = await api("/sync/status");
    state.problem = null;
  } catch (error) {
    state.problem = error.status === 404 ? "sync_not_site" : "unreachable";
  }
  render();
  setTimeout(poll, POLL_MS);
}

function main() {
  $("language").addEventListener("click", () => {
    catalogue.use(catalogue.other);
    $("language").lang = catalogue.other;
    render();
  });
  poll();
}

main();

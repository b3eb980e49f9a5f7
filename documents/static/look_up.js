// Track my Service for citizens: a document's ref and the phone's last three digits give
// where the document is, in English or Kiswahili. A wrong pair and an unknown ref answer alike.

import { Catalogue, api } from "/common/static/client.js";

const catalogue = Catalogue.fromPage();
const t = (key, vars) => catalogue.t(key, vars);
const $ = (id) => document.getElementById(id);
const REF = /^[0-9A-HJKMNP-TV-Z]{10}$/;

let shown = null; // the last document found, re-rendered when the language changes

/** A typed ref as the server keeps it: upper case, no hyphen or spaces. */
const plainRef = (text) => text.toUpperCase().replace(/[\s-]/g, "");

function problem(key) {
  $("problem").hidden = key === null;
  $("problem").textContent = key ? t(key) : "";
}

function render() {
  $("answer").hidden = shown === null;
  if (shown === null) return;
  $("answer-title").textContent = t("result_title", { ref: shown.ref });
  $("answer-status").textContent = t(`status_${shown.status}`);
  const when = new Date(shown.updated_at).toLocaleString(catalogue.lang === "sw" ? "sw-KE" : "en-KE");
  $("answer-updated").textContent = t("updated", { when });
}

async function lookUp(event) {
  event.preventDefault();
  const ref = plainRef($("ref").value);
  const last3 = $("last3").value.trim();
  shown = null;
  render();
  if (!REF.test(ref)) return problem("invalid_ref");
  if (!/^\d{3}$/.test(last3)) return problem("invalid_last3");
  problem(null);
  try {
    shown = await api(`/documents/${encodeURIComponent(ref)}?phone=${encodeURIComponent(last3)}`);
    render();
  } catch (error) {
    if (error.status === 404) problem("not_found");
    else if (error.status === 429) problem("too_many");
    else problem("unreachable");
  }
}

function switchLanguage() {
  catalogue.use(catalogue.other);
  $("language").lang = catalogue.other;
  render();
  if (!$("problem").hidden) problem(null);
}

$("language").lang = catalogue.other;
$("language").addEventListener("click", switchLanguage);
$("look-up").addEventListener("submit", lookUp);

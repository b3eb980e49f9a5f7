// The sponsor report of an outreach site, printable: people served per service and the fees
// the sponsor covered. A supervisor signs in here; the token stays in this tab only.

import { ApiError, Catalogue, api, h } from "/common/static/client.js";

const SESSION_KEY = "huduma.outreach.session";
const centre = document.querySelector(".app").dataset.centre;
const catalogue = Catalogue.fromPage();
const t = (key, vars) => catalogue.t(key, vars);
const $ = (id) => document.getElementById(id);
const state = { token: window.sessionStorage.getItem(SESSION_KEY), report: null, names: {} };

const kes = (amount) => amount.toLocaleString("en-KE");

function render() {
  const report = state.report;
  $("signin").hidden = report !== null;
  $("report").hidden = report === null;
  if (!report) return;
  $("centre-name").removeAttribute("data-t");
  $("centre-name").textContent = report.name;
  $("report-sponsor").textContent = report.sponsor ? t("sponsored_by", { sponsor: report.sponsor }) : "";
  $("report-period").textContent = t("period", { from: report.from, to: report.to });
  $("report-rows").replaceChildren(
    ...report.by_service.map((row) =>
      h(
        "tr",
        {},
        h("th", { scope: "row", text: state.names[row.service]?.[catalogue.lang] ?? row.service }),
        h("td", { class: "numeral", text: String(row.served) }),
        h("td", { class: "numeral", text: kes(row.fee_kes) }),
        h("td", { class: "numeral", text: kes(row.total_kes) }),
      ),
    ),
  );
  $("report-served").textContent = String(report.served);
  $("report-total").textContent = kes(report.total_kes);
}

async function load() {
  const path = `/centres/${encodeURIComponent(centre)}`;
  try {
    state.report = await api(`${path}/reports/sponsor`, { token: state.token });
    const services = await api(`${path}/services`);
    state.names = Object.fromEntries(services.map((s) => [s.code, s.name]));
  } catch (error) {
    window.sessionStorage.removeItem(SESSION_KEY);
    state.token = null;
    state.report = null;
    const key = error instanceof ApiError && error.status === 403 ? "not_allowed" : null;
    $("signin-error").hidden = key === null;
    $("signin-error").textContent = key ? t(key) : "";
  }
  render();
}

async function signIn(event) {
  event.preventDefault();
  const body = { username: $("username").value, password: $("password").value };
  try {
    state.token = (await api("/auth/login", { method: "POST", body })).token;
    window.sessionStorage.setItem(SESSION_KEY, state.token);
    $("signin-error").hidden = true;
    await load();
  } catch {
    $("signin-error").hidden = false;
    $("signin-error").textContent = t("bad_sign_in");
  }
}

function main() {
  $("signin").addEventListener("submit", signIn);
  $("print").addEventListener("click", () => window.print());
  $("language").addEventListener("click", () => {
    catalogue.use(catalogue.other);
    $("language").lang = catalogue.other;
    render();
  });
  if (state.token) load();
}

main();

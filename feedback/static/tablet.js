// The feedback tablet beside a counter: it asks about the visit the counter finished last,
// once, then thanks the citizen and waits for the next. Bound to its device with ?token=….

import { Catalogue, api, bindDevice, h } from "/common/static/client.js";
import { feedbackForm } from "./form.js";

const ASK_EVERY_MS = 4000;
const THANKS_MS = 8000;

const app = document.querySelector(".app");
const centre = app.dataset.centre;
const counter = Number(app.dataset.counter);
const tokenKey = `huduma.feedback.token:${centre}`;
const catalogue = Catalogue.fromPage();
const $ = (id) => document.getElementById(id);

const state = { token: bindDevice(tokenKey), asking: null, thanking: false, form: null };

function problem(key) {
  $("problem").hidden = key === null;
  $("problem").textContent = key ? catalogue.t(key) : "";
  $("problem").dataset.t = key ?? "";
}

function showOnly(id) {
  for (const section of ["waiting", "asking", "done"]) $(section).hidden = section !== id;
}

/** Ask the server which visit to ask about; null when none (or it was answered). */
async function poll() {
  if (state.thanking) return;
  try {
    const { ticket } = await api(`/centres/${encodeURIComponent(centre)}/counters/${counter}/feedback`, {
      token: state.token,
    });
    problem(null);
    if (ticket?.id !== state.asking?.id) ask(ticket);
  } catch (error) {
    if (error.status === 401 || error.status === 403 || error.status === 404) {
      problem("not_set_up");
      showOnly(null);
      return; // a tablet that is not set up stops asking
    }
    problem("unreachable");
  }
  setTimeout(poll, ASK_EVERY_MS);
}

function ask(ticket) {
  state.asking = ticket;
  if (!ticket) {
    $("asking").replaceChildren();
    return showOnly("waiting");
  }
  const about = h("p", { class: "fb-about" });
  state.form = feedbackForm(catalogue, ticket.id, { onDone: thank, title: about });
  state.form.about = about;
  $("asking").replaceChildren(state.form);
  renderAbout();
  showOnly("asking");
}

function renderAbout() {
  const ticket = state.asking;
  if (!ticket || !state.form) return;
  state.form.about.textContent = catalogue.t("about_ticket", {
    number: ticket.number,
    service: ticket.service_name[catalogue.lang],
  });
}

function thank(outcome) {
  state.thanking = true;
  $("done").textContent = catalogue.t(outcome);
  $("done").dataset.t = outcome;
  showOnly("done");
  setTimeout(() => {
    state.thanking = false;
    state.asking = { id: state.asking?.id }; // not asked again: the server says it is answered
    showOnly("waiting");
    poll();
  }, THANKS_MS);
}

function useLanguage(lang) {
  catalogue.use(lang);
  $("language").textContent = catalogue.t("switch_language");
  $("language").lang = catalogue.other;
  $("counter-label").textContent = catalogue.t("counter_n", { n: counter });
  renderAbout();
}

function main() {
  $("language").addEventListener("click", () => useLanguage(catalogue.other));
  useLanguage(catalogue.lang);
  if (!state.token) {
    problem("not_set_up");
    return;
  }
  showOnly("waiting");
  poll();
}

main();

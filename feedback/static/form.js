// The feedback form: five big faces, the wait, the fee, the "asked for money" question and a
// comment, in English and Kiswahili. The tablet and the track page both use it.

import { ApiError, Catalogue, api, h } from "/common/static/client.js";

const SVG = "http://www.w3.org/2000/svg";
const FACE_COLOURS = ["#c0392b", "#e67e22", "#d4ac0d", "#7cb342", "#2e7d32"];
let formCount = 0;

/** The form's own catalogue (it travels with the module, not with the page that uses it). */
export async function formCatalogue(lang = "en") {
  const response = await fetch(new URL("catalogue.json", import.meta.url), { cache: "no-store" });
  return new Catalogue(await response.json(), lang);
}

/** A face for rating `n` (1 to 5): the mouth turns from a frown to a smile. */
function face(n) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "fb-face-icon");
  const mouthY = 16 + (n - 3) * 2.5;
  const parts = [
    ["circle", { cx: 12, cy: 12, r: 11, fill: FACE_COLOURS[n - 1] }],
    ["circle", { cx: 8, cy: 9, r: 1.6, fill: "#fff" }],
    ["circle", { cx: 16, cy: 9, r: 1.6, fill: "#fff" }],
    ["path", { d: `M6.5 16 Q12 ${mouthY} 17.5 16`, stroke: "#fff", "stroke-width": 2, fill: "none", "stroke-linecap": "round" }],
  ];
  for (const [tag, attributes] of parts) {
    const element = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
    svg.append(element);
  }
  return svg;
}

/** A group of big choices (radio buttons under a legend). */
function choices(id, legendKey, name, options, extra = null) {
  return h(
    "fieldset",
    { class: `fb-group fb-${name}` },
    h("legend", { "data-t": legendKey }),
    extra,
    h(
      "div",
      { class: "fb-options" },
      ...options.map(({ value, key, icon }) => {
        const inputId = `${id}-${name}-${value}`;
        return h(
          "span",
          { class: "fb-option" },
          h("input", { type: "radio", name: `${id}-${name}`, id: inputId, value, class: "fb-radio" }),
          h("label", { for: inputId, class: icon ? "fb-choice fb-face" : "fb-choice" }, icon, h("span", { "data-t": key })),
        );
      }),
    ),
  );
}

/**
 * The form about ticket `ticketId`. `onDone(outcome)` runs once it was sent ("thanks"), or the
 * ticket had an answer already ("already"), or no longer takes one ("not_served").
 */
export function feedbackForm(catalogue, ticketId, { onDone = () => {}, title = null } = {}) {
  const id = `fb${++formCount}`;
  const ratings = [1, 2, 3, 4, 5].map((n) => ({ value: String(n), key: `rating_${n}`, icon: face(n) }));
  const form = h(
    "form",
    { class: "fb-form", "aria-labelledby": `${id}-title`, novalidate: true },
    h("h2", { id: `${id}-title`, class: "fb-title", "data-t": "form_title" }),
    title,
    choices(id, "rating", "rating", ratings),
    choices(id, "wait_ok", "wait", [
      { value: "yes", key: "yes" },
      { value: "no", key: "no" },
    ]),
    choices(id, "fee", "fee", [
      { value: "official", key: "fee_official" },
      { value: "more", key: "fee_more" },
      { value: "no_fee", key: "fee_no_fee" },
    ]),
    choices(
      id,
      "asked_for_money",
      "money",
      [
        { value: "yes", key: "yes" },
        { value: "no", key: "no" },
        { value: "rather_not_say", key: "rather_not_say" },
      ],
      h("p", { class: "fb-hint", "data-t": "money_private" }),
    ),
    h(
      "p",
      { class: "fb-comment" },
      h("label", { for: `${id}-comment`, "data-t": "comment" }),
      h("textarea", { id: `${id}-comment`, maxlength: "500", rows: "3" }),
    ),
    h("p", { class: "fb-message", role: "alert", id: `${id}-message` }),
    h("button", { type: "submit", class: "button fb-send", "data-t": "send" }),
  );
  catalogue.translate(form);
  const picked = (name) => form.querySelector(`input[name="${id}-${name}"]:checked`)?.value ?? null;
  const message = (key) => {
    form.querySelector(".fb-message").textContent = key ? catalogue.t(key) : "";
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const rating = picked("rating");
    if (!rating) return message("choose_rating");
    const body = { rating: Number(rating) };
    const wait = picked("wait");
    if (wait) body.wait_ok = wait === "yes";
    if (picked("fee")) body.fee = picked("fee");
    if (picked("money")) body.asked_for_money = picked("money");
    const comment = form.querySelector("textarea").value.trim();
    if (comment) body.comment = comment;
    const send = form.querySelector(".fb-send");
    send.disabled = true;
    send.textContent = catalogue.t("sending");
    try {
      await api(`/tickets/${encodeURIComponent(ticketId)}/feedback`, { method: "POST", body });
      onDone("thanks");
    } catch (error) {
      send.disabled = false;
      send.textContent = catalogue.t("send");
      if (error instanceof ApiError && error.code === "feedback_given") return onDone("already");
      if (error instanceof ApiError && error.code === "not_served") return onDone("not_served");
      message("failed");
    }
  });
  return form;
}

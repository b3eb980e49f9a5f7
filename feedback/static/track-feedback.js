// The track page's feedback: once its ticket is done, the form asks about the visit (one
// answer per ticket); it follows the page's language.

import { feedbackForm, formCatalogue } from "./form.js";

let offered = null; // {catalogue, section} once the form is on the page

/** Show the feedback form in `section` for ticket `ticketId`, once; later calls set its language. */
export async function offerFeedback(section, ticketId, lang) {
  if (offered) {
    if (offered.catalogue && offered.catalogue.lang !== lang) {
      offered.catalogue.lang = lang;
      offered.catalogue.translate(offered.section);
    }
    return;
  }
  offered = { catalogue: null, section };
  const catalogue = await formCatalogue(lang);
  offered.catalogue = catalogue;
  const thanks = document.createElement("p");
  thanks.className = "fb-thanks";
  thanks.setAttribute("role", "status");
  const form = feedbackForm(catalogue, ticketId, {
    onDone: (outcome) => {
      thanks.dataset.t = outcome;
      thanks.textContent = catalogue.t(outcome);
      form.replaceWith(thanks);
    },
  });
  section.replaceChildren(form);
  section.hidden = false;
}

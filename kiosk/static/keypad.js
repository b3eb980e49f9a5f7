// On-screen keypads of the kiosk (it has no keyboard): digits for a phone number, and the
// letters and digits of document refs. Each key is a button named by what it types.

import { h } from "/common/static/client.js";

export const DIGITS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"];
/** The refs' alphabet (no I, L, O or U: nothing typed can be mistaken for another). */
export const REF_KEYS = [..."0123456789ABCDEFGHJKMNPQRSTVWXYZ"];

/** Fill `container` with a key per character, and a Delete key named `deleteName` if given. */
export function fillKeypad(container, keys, deleteName = null) {
  const deleteKey = deleteName
    ? [h("button", { type: "button", class: "key delete", dataset: { entryKey: "delete" }, text: deleteName })]
    : [];
  container.replaceChildren(
    ...keys.map((key) => h("button", { type: "button", class: "key", dataset: { entryKey: key }, text: key })),
    ...deleteKey,
  );
}

/** A typed ref as the server keeps it: upper case, without hyphens or spaces. */
export function plainRef(text) {
  return text.toUpperCase().replace(/[\s-]/g, "");
}

/** Whether `text` is a Kenyan mobile number: 07…, 01…, 2547…, +2541…, with spaces or not. */
export function isKenyanMobile(text) {
  return /^(?:\+?254|0)?[17]\d{8}$/.test(text.replace(/[\s()-]/g, ""));
}

// paperwire: small progressive enhancements; every page works without this file.

// Sort and filter menus apply themselves when picked with a pointer. From the keyboard the
// arrow keys change a closed <select> one option at a time, so there the Apply button does it.
let pointerPicked = false;
document.addEventListener("pointerdown", () => { pointerPicked = true; });
document.addEventListener("keydown", () => { pointerPicked = false; });
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form && pointerPicked) {
    el.form.submit();
  }
});

// "Show more" under a card's clamped abstract: shown only where the text is cut off.
function setUpExpanders(root) {
  for (const button of root.querySelectorAll("button.expand[aria-controls]")) {
    const text = document.getElementById(button.getAttribute("aria-controls"));
    if (text && text.scrollHeight > text.clientHeight + 1) button.hidden = false;
  }
}
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element && event.target.closest("button.expand[aria-controls]");
  if (!button) return;
  const open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", String(open));
  button.firstChild.textContent = open ? "Show less" : "Show more";
  document.getElementById(button.getAttribute("aria-controls")).classList.toggle("open", open);
});

// Theme: the server renders <html data-theme> from the "theme" cookie; the toggle flips the
// scheme on screen now and remembers it for a year (no inline script, so a strict CSP holds).
function shownTheme() {
  const set = document.documentElement.dataset.theme;
  if (set === "dark" || set === "light") return set;
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}
function showThemeToggle() {
  const dark = shownTheme() === "dark";
  for (const button of document.querySelectorAll("button.theme-toggle")) {
    button.setAttribute("aria-pressed", String(dark));
    button.value = dark ? "light" : "dark";
  }
}
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element && event.target.closest("button.theme-toggle");
  if (!button) return;
  event.preventDefault();
  const theme = shownTheme() === "dark" ? "light" : "dark";
  document.documentElement.dataset.theme = theme;
  document.cookie = `theme=${theme}; path=/; max-age=31536000; samesite=lax`;
  showThemeToggle();
  // Members keep their choice on every browser: tell the server too (it answers 204).
  const form = button.form;
  if (form && form.dataset.member) {
    const body = new FormData(form);
    body.set("theme", theme);
    fetch(form.action, { method: "POST", body, keepalive: true, headers: { "X-Requested-With": "fetch" } });
  }
});

// htmx swaps: say what changed (the live region) and keep focus on the control that was used.
// (htmx itself puts focus back on an element with the id of the one focused before the swap.)
document.addEventListener("htmx:afterSettle", (event) => {
  const el = event.target;
  const said = el instanceof Element ? (el.closest("[data-announce]") || el.querySelector("[data-announce]")) : null;
  const live = document.getElementById("announce");
  if (said && live) live.textContent = said.dataset.announce;
});

document.addEventListener("DOMContentLoaded", () => {
  setUpExpanders(document);
  showThemeToggle();
});
matchMedia("(prefers-color-scheme: dark)").addEventListener("change", showThemeToggle);

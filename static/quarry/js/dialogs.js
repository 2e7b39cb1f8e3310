/* Dialogs and side panels: those a link loads on demand, and a page that is a dialog itself. */

import { fetchPartial, fragment } from "./dom.js";
import { initForms } from "./forms.js";
import { closeMenu } from "./menus.js";

function openDialog(dialog, fetched) {
  // A dialog rendered open (so it shows without this script) is reopened as a modal; the close
  // event of that first close() must not count as the user leaving.
  if (dialog.open) { dialog.dataset.reopening = "1"; dialog.close(); }
  dialog.showModal();
  initForms(dialog);
  dialog.addEventListener("close", function () {
    if (dialog.dataset.reopening) { delete dialog.dataset.reopening; return; }
    if (fetched) { dialog.remove(); return; }
    // A dialog that is the whole page goes back where its Cancel link points.
    const closer = dialog.querySelector("a[data-close-dialog]");
    if (closer && !dialog.dataset.submitting) window.location.href = closer.href;
  });
  dialog.addEventListener("submit", function () { dialog.dataset.submitting = "1"; });
  const first = dialog.querySelector("input[type=text]:not([readonly]), textarea, select");
  if (first) first.focus();
}

export function listenForDialogs() {
  document.addEventListener("click", function (event) {
    const link = event.target.closest("a[data-dialog], a[data-panel]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    closeMenu(false);
    fetchPartial(link.href).then(function (res) {
      const dialog = res.ok ? fragment(res.text) : null;
      if (!dialog || dialog.tagName !== "DIALOG") { window.location.href = link.href; return; }
      document.body.appendChild(dialog);
      openDialog(dialog, true);
    }).catch(function () { window.location.href = link.href; });
  });

  document.addEventListener("click", function (event) {
    const closer = event.target.closest("[data-close-dialog]");
    if (!closer) return;
    const dialog = closer.closest("dialog");
    // A dialog that is the whole page (opened on load) leaves by following its link.
    if (!dialog || dialog.hasAttribute("data-autopen")) return;
    event.preventDefault();
    dialog.close();
  });
}

/** Open, as modals, the dialogs a page renders open. */
export function openPageDialogs() {
  document.querySelectorAll("dialog[data-autopen]").forEach(function (d) { openDialog(d, false); });
}

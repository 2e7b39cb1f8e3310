/* Quarry console: progressive enhancements. Every page works without these scripts; with them,
   the console gets menus, side panels, dialogs, tabs that survive a reload, live validation,
   polling and a highlighted SQL editor. No framework, no build step: each component is an ES
   module, and this one starts them. templates/web/partials/scripts.html says why start() is
   called from an inline script. */

import { listenForDialogs, openPageDialogs } from "./dialogs.js";
import { setupQueryEditor } from "./editor.js";
import { applyFilter, listenForFilter } from "./explorer.js";
import { initForms, listenForForms } from "./forms.js";
import { listenForMenus } from "./menus.js";
import { enhance, listenForJobStatus } from "./polling.js";
import { listenForResultTabs } from "./result-tabs.js";
import { setupTabs } from "./tabs.js";

function listenForDismiss() {
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-dismiss]");
    if (button) button.closest(".message").remove();
  });
}

export function start() {
  // Listeners of one kind run in the order added (a submit handler checks whether an earlier
  // one took the event over), so this order is the one the components were written against.
  listenForResultTabs();
  listenForJobStatus();
  listenForMenus();
  listenForDialogs();
  listenForForms();
  listenForFilter();
  listenForDismiss();
  document.addEventListener("DOMContentLoaded", function () {
    enhance(document.body);
    setupTabs();
    setupQueryEditor();
    initForms(document);
    applyFilter();
    openPageDialogs();
  });
}

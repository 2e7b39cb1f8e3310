/* The result tabs of a job (Job information | Results | JSON | Execution details): click or use
   the arrow keys, as WAI-ARIA's tabs pattern has it. */

export function selectResultTab(container, name) {
  const tabs = container.querySelectorAll("[data-result-tab]");
  tabs.forEach(function (tab) {
    const on = tab.dataset.resultTab === name;
    tab.setAttribute("aria-selected", on ? "true" : "false");
    tab.tabIndex = on ? 0 : -1;
    const panel = document.getElementById(tab.getAttribute("aria-controls"));
    if (panel) panel.hidden = !on;
  });
}

export function listenForResultTabs() {
  document.addEventListener("click", function (event) {
    const tab = event.target.closest("[data-result-tab]");
    if (!tab) return;
    selectResultTab(tab.closest(".job-status") || document, tab.dataset.resultTab);
  });

  document.addEventListener("keydown", function (event) {
    const tab = event.target.closest && event.target.closest("[role=tab][data-result-tab]");
    if (!tab || !["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) return;
    const tabs = Array.from(tab.parentElement.querySelectorAll("[role=tab]"));
    let i = tabs.indexOf(tab);
    if (event.key === "ArrowRight") i = (i + 1) % tabs.length;
    if (event.key === "ArrowLeft") i = (i - 1 + tabs.length) % tabs.length;
    if (event.key === "Home") i = 0;
    if (event.key === "End") i = tabs.length - 1;
    event.preventDefault();
    selectResultTab(tab.closest(".job-status") || document, tabs[i].dataset.resultTab);
    tabs[i].focus();
  });
}

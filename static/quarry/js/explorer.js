/* The Explorer's filter: it narrows the tree as you type and survives navigation in the tab. */

const FILTER_KEY = "quarry.explorer-filter";

export function applyFilter() {
  const input = document.querySelector("[data-explorer-filter]");
  if (!input) return;
  const stored = sessionStorage.getItem(FILTER_KEY) || "";
  if (input.value !== stored && document.activeElement !== input) input.value = stored;
  const query = input.value.trim().toLowerCase();
  const explorer = input.closest(".explorer");
  let any = false;
  explorer.querySelectorAll("[data-filter-group]").forEach(function (group) {
    const summary = group.querySelector("summary[data-filter-name]");
    const own = summary.dataset.filterName.toLowerCase().includes(query);
    let childMatch = false;
    group.querySelectorAll("li[data-filter-name]").forEach(function (leaf) {
      const match = !query || own || leaf.dataset.filterName.toLowerCase().includes(query);
      leaf.hidden = !match;
      if (match && query) childMatch = true;
    });
    const visible = !query || own || childMatch;
    group.hidden = !visible;
    if (visible) any = true;
    if (query && childMatch) group.querySelector("details").open = true;
  });
  const empty = explorer.querySelector("[data-filter-empty]");
  if (empty) empty.hidden = any || !query;
}

export function listenForFilter() {
  document.addEventListener("input", function (event) {
    if (!event.target.matches || !event.target.matches("[data-explorer-filter]")) return;
    sessionStorage.setItem(FILTER_KEY, event.target.value);
    applyFilter();
  });
}

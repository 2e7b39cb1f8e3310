/* Main-area tabs that survive a reload: every dataset, table, model and query opened stays in
   the tab strip (kept in localStorage) until closed, and a query tab keeps its SQL. */

import { icon } from "./dom.js";

const TABS_KEY = "quarry.tabs.v1";
const SQL_KEY = "quarry.sql.";

function loadTabs() {
  try {
    const data = JSON.parse(localStorage.getItem(TABS_KEY) || "[]");
    return Array.isArray(data) ? data : [];
  } catch (e) { return []; }
}

function saveTabs(tabs) {
  try { localStorage.setItem(TABS_KEY, JSON.stringify(tabs)); } catch (e) { /* private mode */ }
}

function upsertTab(tab) {
  const tabs = loadTabs();
  const i = tabs.findIndex(function (t) { return t.key === tab.key; });
  if (i >= 0) tabs[i] = Object.assign(tabs[i], tab);
  else tabs.push(tab);
  saveTabs(tabs);
}

function nextQueryTitle() {
  let highest = 0;
  loadTabs().forEach(function (t) {
    const m = t.kind === "query" && /^Untitled query(?: (\d+))?$/.exec(t.title);
    if (m) highest = Math.max(highest, m[1] ? parseInt(m[1], 10) : 1);
  });
  return highest ? "Untitled query " + (highest + 1) : "Untitled query";
}

function renderTabs(currentKey) {
  const strip = document.getElementById("main-tabs");
  if (!strip) return;
  strip.querySelectorAll(".main-tab:not(.main-tab-home), .main-tab-new").forEach(function (el) { el.remove(); });
  loadTabs().forEach(function (t) {
    const item = document.createElement("span");
    item.className = "main-tab";
    item.dataset.key = t.key;
    const link = document.createElement("a");
    link.href = t.url;
    link.innerHTML = icon(t.kind);
    const label = document.createElement("span");
    label.textContent = t.title;
    link.appendChild(label);
    link.title = t.title;
    if (t.key === currentKey) { item.classList.add("is-current"); link.setAttribute("aria-current", "page"); }
    const close = document.createElement("button");
    close.type = "button";
    close.className = "tab-close";
    close.setAttribute("aria-label", "Close tab " + t.title);
    close.innerHTML = icon("close");
    close.addEventListener("click", function () { closeTab(t.key, currentKey); });
    item.append(link, close);
    strip.appendChild(item);
  });
  const add = document.createElement("a");
  add.className = "main-tab-new";
  add.href = "/query";
  add.setAttribute("aria-label", "Compose new query");
  add.title = "Compose new query";
  add.innerHTML = icon("plus");
  strip.appendChild(add);
  const current = strip.querySelector(".is-current");
  if (current) current.scrollIntoView({ block: "nearest", inline: "nearest" });
}

function closeTab(key, currentKey) {
  const tabs = loadTabs();
  const i = tabs.findIndex(function (t) { return t.key === key; });
  if (i < 0) return;
  const [gone] = tabs.splice(i, 1);
  saveTabs(tabs);
  if (gone.kind === "query") localStorage.removeItem(SQL_KEY + gone.key.slice(6));
  if (key === currentKey) {
    const next = tabs[i] || tabs[i - 1];
    window.location.href = next ? next.url : "/";
  } else {
    renderTabs(currentKey);
  }
}

function setupQueryTab() {
  const form = document.querySelector("form[data-query-form]");
  if (!form) return null;
  const params = new URLSearchParams(window.location.search);
  const fresh = params.has("sql");
  let id = params.get("tab");
  if (!id || !/^[A-Za-z0-9_-]+$/.test(id)) {
    id = "q" + Date.now().toString(36) + Math.floor(Math.random() * 1296).toString(36);
    params.set("tab", id);
  }
  params.delete("sql");
  const url = "/query?" + params.toString();
  history.replaceState(null, "", url);
  form.querySelector("input[name=tab]").value = id;
  const key = "query:" + id;
  const existing = loadTabs().find(function (t) { return t.key === key; });
  upsertTab({ key: key, kind: "query", title: existing ? existing.title : nextQueryTitle(), url: url });
  const editor = form.querySelector("textarea");
  const stored = localStorage.getItem(SQL_KEY + id);
  if (!fresh && stored !== null && stored !== editor.value && !params.has("job")) editor.value = stored;
  localStorage.setItem(SQL_KEY + id, editor.value);
  editor.addEventListener("input", function () { localStorage.setItem(SQL_KEY + id, editor.value); });
  document.title = (existing ? existing.title : loadTabs().find(function (t) { return t.key === key; }).title) + " – Quarry";
  return key;
}

/** Record the page's own tab (the <main> element says which), forget deleted ones, draw them. */
export function setupTabs() {
  const main = document.getElementById("main");
  if (!main) return null;
  const forget = main.dataset.forgetTabs;
  if (forget) {
    saveTabs(loadTabs().filter(function (t) {
      const gone = t.url.indexOf(forget) === 0;
      if (gone && t.kind === "query") localStorage.removeItem(SQL_KEY + t.key.slice(6));
      return !gone;
    }));
  }
  const kind = main.dataset.tabKind;
  let key = null;
  if (kind && kind !== "query" && main.dataset.tabUrl) {
    key = main.dataset.tabUrl;
    upsertTab({ key: key, kind: kind, title: main.dataset.tabTitle, url: key + window.location.search });
  } else if (kind === "query") {
    key = setupQueryTab();
  }
  renderTabs(key);
  return key;
}

/* Helpers every component uses: the CSRF token, icons, durations and fetched HTML fragments. */

export function csrfToken() {
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (input) return input.value;
  const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

// The page carries every icon a script may need in <template id="tab-icons">.
export function icon(name) {
  const tpl = document.getElementById("tab-icons");
  const holder = tpl && tpl.content.querySelector('[data-icon="' + name + '"]');
  return holder ? holder.innerHTML : "";
}

export function formatDuration(seconds) {
  if (seconds < 10) return seconds.toFixed(1) + " sec";
  if (seconds < 60) return Math.round(seconds) + " sec";
  const total = Math.round(seconds);
  return Math.floor(total / 60) + " min " + (total % 60) + " sec";
}

// The header tells the views to answer with the partial alone, not the whole page.
export function fetchPartial(url, options) {
  const opts = Object.assign({ credentials: "same-origin" }, options || {});
  opts.headers = Object.assign({ "X-Requested-With": "fetch" }, opts.headers || {});
  return fetch(url, opts).then(function (r) {
    return r.text().then(function (text) { return { ok: r.ok, status: r.status, text: text }; });
  });
}

export function fragment(html) {
  const tpl = document.createElement("template");
  tpl.innerHTML = html.trim();
  return tpl.content.firstElementChild;
}

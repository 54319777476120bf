// pepgraph pages: search as you type (debounced). No framework; the server renders everything.
"use strict";
(function () {
  const form = document.getElementById("search-form");
  if (!form) return;
  const box = document.getElementById("q");
  const results = document.getElementById("results");
  let timer = null, seq = 0;

  function query() {
    const params = new URLSearchParams(new FormData(form));
    for (const [k, v] of [...params.entries()]) if (!v) params.delete(k);
    return params.toString();
  }

  async function refresh() {
    const qs = query();
    const mine = ++seq;
    results.setAttribute("aria-busy", "true");
    try {
      const resp = await fetch("/ui/search?" + qs, { headers: { "X-Partial": "1", "Accept": "text/html" }, credentials: "same-origin" });
      if (resp.status === 401) { window.location = "/login?next=" + encodeURIComponent("/ui/search?" + qs); return; }
      const html = await resp.text();
      if (mine !== seq) return; // a later request has started: drop this answer
      const focused = document.activeElement && document.activeElement.id;
      results.innerHTML = html;
      if (focused && focused !== "q") { const el = document.getElementById(focused); if (el) el.focus(); }
      history.replaceState(null, "", "/ui/search" + (qs ? "?" + qs : ""));
    } finally {
      if (mine === seq) results.removeAttribute("aria-busy");
    }
  }

  function later() { clearTimeout(timer); timer = setTimeout(refresh, 250); }
  box.addEventListener("input", later);
  form.addEventListener("change", (ev) => { if (ev.target !== box) { clearTimeout(timer); refresh(); } });
  form.addEventListener("submit", (ev) => { ev.preventDefault(); clearTimeout(timer); refresh(); });
})();

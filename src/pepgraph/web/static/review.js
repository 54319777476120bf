// Review: same / different / unsure buttons and keys post to the API's /judgements.
"use strict";
(function () {
  const pairs = [...document.querySelectorAll(".pair")];
  if (!pairs.length) return;
  let current = 0;

  function focusPair(i) {
    current = Math.max(0, Math.min(pairs.length - 1, i));
    pairs.forEach((p, j) => p.classList.toggle("current", j === current));
    pairs[current].focus({ preventScroll: false });
    pairs[current].scrollIntoView({ block: "nearest" });
  }

  async function judge(pair, judgement) {
    const done = pair.querySelector(".done");
    const resp = await fetch("/judgements", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ left: pair.dataset.left, right: pair.dataset.right, judgement }),
    });
    if (resp.ok) {
      done.textContent = "Recorded: " + judgement + " (applied at the next build)";
      pair.classList.add("judged");
      pair.querySelectorAll("button[data-judgement]").forEach((b) => { b.disabled = true; b.setAttribute("aria-pressed", String(b.dataset.judgement === judgement)); });
      const next = pairs.findIndex((p, j) => j > pairs.indexOf(pair) && !p.classList.contains("judged"));
      if (next >= 0) focusPair(next);
    } else {
      let detail = resp.statusText;
      try { detail = (await resp.json()).detail; } catch (e) { /* not JSON */ }
      done.textContent = "Not recorded: " + detail;
    }
  }

  pairs.forEach((pair, i) => {
    pair.querySelectorAll("button[data-judgement]").forEach((b) => b.addEventListener("click", () => { current = i; judge(pair, b.dataset.judgement); }));
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || /INPUT|TEXTAREA|SELECT/.test(ev.target.tagName)) return;
    const map = { s: "same", d: "different", u: "unsure" };
    if (map[ev.key]) { const p = pairs[current]; if (!p.classList.contains("judged")) judge(p, map[ev.key]); ev.preventDefault(); }
    else if (ev.key === "j") { focusPair(current + 1); ev.preventDefault(); }
    else if (ev.key === "k") { focusPair(current - 1); ev.preventDefault(); }
  });
  pairs[0].classList.add("current");
})();

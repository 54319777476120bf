// Batch screening: poll the job's JSON twin and move the progress bar until it is done.
"use strict";
(function () {
  const job = document.getElementById("job");
  if (!job) return;
  const bar = document.getElementById("progress");
  const status = document.getElementById("job-status");
  const link = document.getElementById("download");
  async function poll() {
    const resp = await fetch(job.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!resp.ok) { status.textContent = "Could not read the progress: " + resp.status; return; }
    const j = (await resp.json()).job;
    if (j.total) bar.max = j.total;
    bar.value = j.done;
    const of = j.total == null ? "?" : j.total;
    if (j.status === "done") {
      status.textContent = `done: ${j.done} of ${of} rows screened; ${j.matched} with a match, in ${j.seconds} s`;
      link.hidden = false;
      return;
    }
    if (j.status === "failed") { status.textContent = "failed: " + j.error; return; }
    status.textContent = `${j.status}: ${j.done} of ${of} rows screened`;
    setTimeout(poll, 400);
  }
  poll();
})();

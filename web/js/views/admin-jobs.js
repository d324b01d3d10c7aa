// Jobs on the admin screen: what a job says about itself, a progress bar, and following a job started here
// (or found running) until it ends.
import { admin } from "../api.js";
import { h } from "../dom.js";

const POLL_MS = 1000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const seconds = (s) => (s < 90 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`);

/** Settled titles that were not enriched: failed, or left for later by the monthly credit budget. */
function notEnriched(p) {
  const parts = [];
  if (p.titles_enrich_failed) parts.push(`${p.titles_enrich_failed} failed`);
  if (p.titles_enrich_deferred) parts.push(`${p.titles_enrich_deferred} queued for next month's credits`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

/** What a job says about itself, in words, and how far it is (0..1, or null when unknown). */
export function describeJob(job) {
  const p = job.progress || {};
  const settled = (p.titles_enriched || 0) + (p.titles_enrich_failed || 0) + (p.titles_enrich_deferred || 0);
  let detail = "";
  let fraction = null;
  if (job.kind === "titles_refresh") {
    detail =
      `${p.sources_complete || 0}/${p.sources_requested || 0} sources, ${p.titles_published || 0} published, ` +
      `${p.events_stored || 0}/${p.events_published || 0} stored` +
      (p.events_dead_lettered ? ` (${p.events_dead_lettered} dead-lettered)` : "") +
      `, ${settled}/${p.titles_pending || 0} enriched` +
      notEnriched(p);
    const total = (p.events_published || 0) + (p.titles_pending || 0);
    const stored = (p.events_stored || 0) + (p.events_dead_lettered || 0);
    fraction = job.dispatch_complete ? (total ? (stored + settled) / total : 1) : null;
  } else if (job.kind === "titles_enrich") {
    detail = `${settled}/${p.titles_pending || 0} titles enriched${notEnriched(p)}`;
    fraction = job.dispatch_complete ? (p.titles_pending ? settled / p.titles_pending : 1) : null;
  } else if (job.kind === "reference_refresh" && job.result && job.result.sources !== undefined) {
    detail = `${job.result.sources} sources, ${job.result.genres} genres`;
  }
  const elapsed = seconds(job.elapsed_seconds || 0);
  const words =
    {
      queued: `Queued (${elapsed})`,
      running: `Running for ${elapsed}${detail ? `: ${detail}` : "…"}`,
      succeeded: `Succeeded in ${elapsed}${detail ? `: ${detail}` : ""}`,
      failed: `Failed after ${elapsed}: ${job.error || "unknown error"}`,
    }[job.status] || job.status;
  if (job.status === "succeeded") fraction = 1;
  return { words, fraction: fraction === null ? null : Math.min(1, fraction) };
}

export function progressBar() {
  const bar = h("div", {
    class: "progress-bar",
    attrs: {
      role: "progressbar",
      "aria-valuemin": "0",
      "aria-valuemax": "100",
      "aria-label": "Job progress",
    },
  });
  return { node: h("div", { class: "progress mt-1 d-none", attrs: { "aria-hidden": "false" } }, bar), bar };
}

export function showJob(job, status, progress) {
  const { words, fraction } = describeJob(job);
  status.textContent = words;
  status.className = `small job-status ${job.status === "failed" ? "text-danger" : job.status === "succeeded" ? "text-success" : "text-body"}`;
  progress.node.classList.toggle("d-none", fraction === null && job.status !== "running" && job.status !== "queued");
  const percent = fraction === null ? 100 : Math.round(fraction * 100);
  progress.bar.style.width = `${percent}%`;
  progress.bar.setAttribute("aria-valuenow", String(percent));
  progress.bar.classList.toggle("progress-bar-striped", fraction === null || job.status === "running");
  progress.bar.classList.toggle("progress-bar-animated", job.status === "running" || job.status === "queued");
  progress.bar.classList.toggle("bg-danger", job.status === "failed");
  progress.bar.classList.toggle("bg-success", job.status === "succeeded");
}

/** Poll a job until it ends (or the page changes); returns the last view of it. */
export async function follow(jobId, status, progress, isCurrent) {
  for (;;) {
    let job;
    try {
      job = await admin.get(`/admin/jobs/${encodeURIComponent(jobId)}`);
    } catch (error) {
      status.textContent = `Could not read job ${jobId}: ${error.message}`;
      status.className = "small job-status text-danger";
      return null;
    }
    if (!isCurrent()) return job;
    showJob(job, status, progress);
    if (job.status === "succeeded" || job.status === "failed") return job;
    await sleep(POLL_MS);
  }
}

export async function start(path, status, progress, isCurrent) {
  status.textContent = "Starting…";
  status.className = "small job-status";
  try {
    const started = await admin.post(path);
    status.textContent = `Queued as job ${started.job_id}`;
    return await follow(started.job_id, status, progress, isCurrent);
  } catch (error) {
    if (error.status === 409 && error.body && error.body.job_id) {
      status.textContent = `Already running: job ${error.body.job_id}`;
      return follow(error.body.job_id, status, progress, isCurrent);
    }
    status.textContent = `Could not start: ${error.message}`;
    status.className = "small job-status text-danger";
    return null;
  }
}

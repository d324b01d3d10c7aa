// The admin screen (admins only; the admin API checks the group on every call): data management with live
// job progress, recent jobs, the table summary, functions' health with their logs, dead letters, credits.
import { admin } from "../api.js";
import { append, barChart, clear, h } from "../dom.js";

const POLL_MS = 1000;
const ACTIONS = [
  { kind: "reference_refresh", path: "/admin/reference/refresh", button: "refreshReferenceDataBtn", status: "refreshReferenceDataStatus", label: "Refresh reference data", help: "Reload streaming services and genres from Watchmode." },
  { kind: "titles_refresh", path: "/admin/titles/refresh", button: "refreshTitleDataBtn", status: "refreshTitleDataStatus", label: "Refresh titles", help: "Fetch the titles viewers' preferences call for, store and enrich them." },
  { kind: "titles_enrich", path: "/admin/titles/enrich", button: "triggerEnrichmentBtn", status: "triggerEnrichmentStatus", label: "Enrich titles", help: "Fetch details for every title that still needs them." },
];
const KIND_NAMES = { reference_refresh: "Reference refresh", titles_refresh: "Titles refresh", titles_enrich: "Enrichment", summary: "Full summary" };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (s) => (s < 90 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`);

/** Settled titles that were not enriched: failed, or left for later by the monthly credit budget. */
function notEnriched(p) {
  const parts = [];
  if (p.titles_enrich_failed) parts.push(`${p.titles_enrich_failed} failed`);
  if (p.titles_enrich_deferred) parts.push(`${p.titles_enrich_deferred} queued for next month's credits`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

/** This month's Watchmode credits against the product's budget. */
function creditsText(credits) {
  const of = credits.budget ? ` of a ${credits.budget.toLocaleString()}-credit budget (${credits.remaining.toLocaleString()} left)` : " (no monthly budget set)";
  return `Watchmode credits in ${credits.month}: ${credits.spent.toLocaleString()} spent${of}.`;
}

/** What a job says about itself, in words, and how far it is (0..1, or null when unknown). */
export function describeJob(job) {
  const p = job.progress || {};
  const settled = (p.titles_enriched || 0) + (p.titles_enrich_failed || 0) + (p.titles_enrich_deferred || 0);
  let detail = "";
  let fraction = null;
  if (job.kind === "titles_refresh") {
    detail = `${p.sources_complete || 0}/${p.sources_requested || 0} sources, ${p.titles_published || 0} published, ` +
      `${p.events_stored || 0}/${p.events_published || 0} stored` +
      (p.events_dead_lettered ? ` (${p.events_dead_lettered} dead-lettered)` : "") +
      `, ${settled}/${p.titles_pending || 0} enriched` + notEnriched(p);
    const total = (p.events_published || 0) + (p.titles_pending || 0);
    const stored = (p.events_stored || 0) + (p.events_dead_lettered || 0);
    fraction = job.dispatch_complete ? (total ? (stored + settled) / total : 1) : null;
  } else if (job.kind === "titles_enrich") {
    detail = `${settled}/${p.titles_pending || 0} titles enriched` + notEnriched(p);
    fraction = job.dispatch_complete ? (p.titles_pending ? settled / p.titles_pending : 1) : null;
  } else if (job.kind === "reference_refresh" && job.result && job.result.sources !== undefined) {
    detail = `${job.result.sources} sources, ${job.result.genres} genres`;
  }
  const elapsed = seconds(job.elapsed_seconds || 0);
  const words = {
    queued: `Queued (${elapsed})`,
    running: `Running for ${elapsed}${detail ? `: ${detail}` : "…"}`,
    succeeded: `Succeeded in ${elapsed}${detail ? `: ${detail}` : ""}`,
    failed: `Failed after ${elapsed}: ${job.error || "unknown error"}`,
  }[job.status] || job.status;
  if (job.status === "succeeded") fraction = 1;
  return { words, fraction: fraction === null ? null : Math.min(1, fraction) };
}

function progressBar() {
  const bar = h("div", { class: "progress-bar", attrs: { role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100", "aria-label": "Job progress" } });
  return { node: h("div", { class: "progress mt-1 d-none", attrs: { "aria-hidden": "false" } }, bar), bar };
}

function showJob(job, status, progress) {
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
async function follow(jobId, status, progress, isCurrent) {
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

async function start(path, status, progress, isCurrent) {
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

function card(title, ...body) {
  return h("section", { class: "card mb-4" },
    h("div", { class: "card-header" }, h("h2", { class: "h5 mb-0 card-title", text: title })),
    h("div", { class: "card-body" }, ...body));
}

function failure(node, what, error) {
  clear(node).append(h("div", { class: "alert alert-danger mb-0", attrs: { role: "alert" }, text: `Could not load ${what}: ${error.message}` }));
}

function table(headers, rows, label) {
  return h("div", { class: "table-responsive", tabIndex: 0, attrs: { role: "region", "aria-label": label } },
    h("table", { class: "table table-sm align-middle mb-0" },
      h("thead", {}, h("tr", {}, headers.map((text) => h("th", { scope: "col", text })))),
      h("tbody", {}, rows)));
}

export function renderAdmin(container, { isCurrent }) {
  const jobsList = h("div", { id: "recentJobs" }, h("p", { class: "text-body-secondary small", text: "Loading jobs…" }));
  const summaryOutput = h("div", { id: "dynamoDbSummaryOutput", class: "summary-output", attrs: { "aria-live": "polite" } });
  const summaryStatus = h("p", { class: "small job-status mb-2", id: "generateSummaryStatus", attrs: { role: "status" } });
  const summaryProgress = progressBar();
  const functions = h("div", { id: "functionHealth" }, h("p", { class: "text-body-secondary small", text: "Loading functions…" }));
  const logs = h("div", { id: "logViewer" });
  const deadLetters = h("div", { id: "deadLetters" }, h("p", { class: "text-body-secondary small", text: "Loading dead letters…" }));
  const credits = h("div", { id: "watchmodeCredits" }, h("p", { class: "text-body-secondary small", text: "Loading credits…" }));
  const queue = h("div", { id: "enrichmentQueue" }, h("p", { class: "text-body-secondary small", text: "Loading the queue…" }));

  async function loadJobs() {
    try {
      const { jobs } = await admin.get("/admin/jobs", { limit: 10 });
      if (!isCurrent()) return;
      clear(jobsList).append(jobs.length === 0
        ? h("p", { class: "text-body-secondary small mb-0", text: "No jobs yet." })
        : table(["Job", "Status", "Requested by", "Created", "Took"], jobs.map((job) => h("tr", {},
          h("td", {}, h("span", { text: KIND_NAMES[job.kind] || job.kind }), h("div", { class: "small text-body-secondary font-monospace", text: job.job_id })),
          h("td", {}, h("span", { class: `badge job-${job.status}`, text: job.status }), job.error ? h("div", { class: "small text-danger", text: job.error }) : null,
            job.status === "queued" || job.status === "running"
              ? h("button", { class: "btn btn-link btn-sm text-danger px-0 d-block cancel-job", type: "button", text: "Cancel", attrs: { "aria-label": `Cancel job ${job.job_id}` }, on: { click: (event) => cancelJob(job, event.currentTarget) } })
              : null),
          h("td", { class: "small", text: job.requested_by.email || job.requested_by.type || "" }),
          h("td", { class: "small", text: new Date(job.created_at).toLocaleString() }),
          h("td", { class: "small", text: seconds(job.elapsed_seconds || 0) }))), "Recent jobs"));
    } catch (error) {
      if (isCurrent()) failure(jobsList, "jobs", error);
    }
  }

  async function cancelJob(job, button) {
    if (!window.confirm(`Cancel this ${KIND_NAMES[job.kind] || job.kind} job? It ends as failed, and another may start.`)) return;
    button.disabled = true;
    try {
      await admin.post(`/admin/jobs/${encodeURIComponent(job.job_id)}/cancel`);
    } catch (error) {
      if (isCurrent()) failure(jobsList, "the cancellation", error);
      return;
    }
    if (isCurrent()) loadJobs();
  }

  function renderSummary(summary) {
    const rows = summary.tables.map((t) => h("li", { text: `Table ${t.name}: ${t.item_count.toLocaleString()} items, ${(t.size_bytes / 1024).toFixed(1)} KB` }));
    const c = summary.counts;
    append(clear(summaryOutput), [
      h("ul", { class: "list-unstyled mb-2" }, rows),
      c ? h("dl", { class: "row small mb-1" },
        h("dt", { class: "col-6 col-md-4", text: "Titles" }), h("dd", { class: "col-6 col-md-8", text: `${c.titles.total} (${c.titles.enriched} enriched, ${c.titles.pending} queued for enrichment, ${c.titles.failed} failed${c.titles.deferred ? `, ${c.titles.deferred} deferred before the queue` : ""})` }),
        h("dt", { class: "col-6 col-md-4", text: "Sources" }), h("dd", { class: "col-6 col-md-8", text: `${c.sources.active} active, ${c.sources.inactive} inactive` }),
        h("dt", { class: "col-6 col-md-4", text: "Genres" }), h("dd", { class: "col-6 col-md-8", text: String(c.genres) }),
        h("dt", { class: "col-6 col-md-4", text: "Viewers with preferences" }), h("dd", { class: "col-6 col-md-8", text: String(c.viewers_with_preferences) }),
        h("dt", { class: "col-6 col-md-4", text: "Availability rows" }), h("dd", { class: "col-6 col-md-8", text: String(c.availability_rows) }))
        : null,
      summary.credits
        ? h("p", { class: "small mb-1", attrs: { id: "credit-budget" }, text: creditsText(summary.credits) })
        : null,
      summary.sources_not_refreshed && summary.sources_not_refreshed.length
        ? h("div", { class: "alert alert-warning small py-2", attrs: { role: "status" } },
          h("strong", { text: `${summary.sources_not_refreshed.length} source(s) not refreshed` }),
          h("ul", { class: "mb-0" }, summary.sources_not_refreshed.map((s) => h("li", { text: `Source ${s.source_id}: ${s.failures} failed attempt(s), last: ${s.error || "unknown error"}` }))))
        : null,
      h("p", { class: "small text-body-secondary mb-0", text: summary.counts_generated_at ? `Counts from the full summary of ${new Date(summary.counts_generated_at).toLocaleString()}.` : summary.message }),
    ]);
  }

  async function loadSummary() {
    try {
      const summary = await admin.get("/admin/dynamodb/summary");
      if (isCurrent()) renderSummary(summary);
    } catch (error) {
      if (isCurrent()) failure(summaryOutput, "the summary", error);
    }
  }

  async function generateSummary(event) {
    const button = event.currentTarget;
    button.disabled = true;
    summaryStatus.textContent = "Generating the full summary…";
    try {
      const summary = await admin.get("/admin/dynamodb/summary");
      if (isCurrent()) renderSummary(summary);
      const job = await start("/admin/dynamodb/summary", summaryStatus, summaryProgress, isCurrent);
      if (job && job.status === "succeeded" && isCurrent()) await loadSummary();
    } catch (error) {
      failure(summaryOutput, "the summary", error);
    } finally {
      button.disabled = false;
      loadJobs();
    }
  }

  async function loadFunctions() {
    try {
      const { lambdas } = await admin.get("/admin/system/lambdas");
      if (!isCurrent()) return;
      const select = h("select", { class: "form-select form-select-sm", id: "logFunction", attrs: { "aria-label": "Function" } },
        lambdas.map((fn) => h("option", { value: fn.arn, text: fn.function_name })));
      const p95 = (value) => (value === null || value === undefined ? "–" : `${Math.round(value)} ms`);
      clear(functions).append(
        table(["Function", "Invocations 1h / 24h", "Errors 1h / 24h", "p95 1h / 24h", "Last 24h"], lambdas.map((fn) => h("tr", {},
          h("td", {}, h("span", { text: fn.name }), h("div", { class: "small text-body-secondary", text: fn.function_name })),
          h("td", { text: `${fn.invocations_1h} / ${fn.invocations_24h}` }),
          h("td", { class: fn.errors_24h ? "text-danger" : "", text: `${fn.errors_1h} / ${fn.errors_24h}` }),
          h("td", { text: `${p95(fn.duration_p95_ms_1h)} / ${p95(fn.duration_p95_ms_24h)}` }),
          h("td", {}, barChart([["successes", fn.success_count_24h, "chart-ok"], ["errors", fn.errors_24h, "chart-error"], ["throttles", fn.throttles_24h, "chart-warn"]], { label: `${fn.success_count_24h} successes, ${fn.errors_24h} errors, ${fn.throttles_24h} throttles in 24 hours` })))), "Functions"),
        h("p", { class: "small text-body-secondary mt-2 mb-3", text: "From CloudWatch: 5-minute periods; p95 is the highest 5-minute p95 of the window. The local emulator records only direct invocations." }),
        h("div", { class: "row g-2 align-items-end" },
          h("div", { class: "col-sm-8" }, h("label", { class: "form-label small mb-1", htmlFor: "logFunction", text: "Logs of" }), select),
          h("div", { class: "col-sm-4" }, h("button", { class: "btn btn-outline-secondary btn-sm w-100", type: "button", id: "showLogsBtn", text: "Show latest logs", on: { click: () => loadLogs(select.value) } }))),
        logs,
      );
    } catch (error) {
      if (isCurrent()) failure(functions, "functions", error);
    }
  }

  async function loadLogs(arn) {
    clear(logs).append(h("p", { class: "small text-body-secondary mt-2", text: "Loading logs…" }));
    try {
      const result = await admin.post("/admin/system/lambdas/logs", { function_arn: arn });
      if (!isCurrent()) return;
      const lines = result.events.map((e) => `${new Date(e.timestamp).toISOString()}  ${e.message.trimEnd()}`).join("\n");
      clear(logs).append(
        h("p", { class: "small text-body-secondary mt-2 mb-1", text: `${result.log_group} · ${result.stream_name || "no stream yet"} · ${result.events.length} events${result.truncated ? " (truncated)" : ""}` }),
        h("pre", { class: "log-output", tabIndex: 0, text: lines || "No log events." }));
    } catch (error) {
      if (isCurrent()) failure(logs, "logs", error);
    }
  }

  async function loadDeadLetters() {
    try {
      const { queues } = await admin.get("/admin/dead-letters");
      if (!isCurrent()) return;
      clear(deadLetters).append(...queues.map((queue) => {
        const result = h("span", { class: "small ms-2", attrs: { role: "status" } });
        const redrive = h("button", {
          class: "btn btn-outline-danger btn-sm", type: "button", text: "Redrive", disabled: queue.messages === 0,
          attrs: { "aria-label": `Redrive the ${queue.queue} dead letters` },
          on: {
            click: async () => {
              redrive.disabled = true;
              result.textContent = "Redriving…";
              try {
                const done = await admin.post(`/admin/dead-letters/${encodeURIComponent(queue.queue)}/redrive`);
                result.textContent = `${done.redriven} redriven, ${done.kept} kept`;
                setTimeout(loadDeadLetters, 1500);
              } catch (error) {
                result.textContent = `Redrive failed: ${error.message}`;
                redrive.disabled = false;
              }
            },
          },
        });
        return h("div", { class: "border-bottom py-2 dead-letter-queue", dataset: { queue: queue.queue } },
          h("div", { class: "d-flex align-items-center" },
            h("strong", { class: "me-2", text: queue.queue }),
            h("span", { class: `badge ${queue.messages ? "text-bg-danger" : "text-bg-secondary"} me-auto`, text: `${queue.messages} waiting` }),
            redrive, result),
          queue.newest.length ? h("ul", { class: "small mb-0 mt-1" }, queue.newest.map((m) => h("li", { text: `${new Date(m.sent_at).toLocaleString()}: ${m.reason}` }))) : null);
      }));
    } catch (error) {
      if (isCurrent()) failure(deadLetters, "dead letters", error);
    }
  }

  async function loadQueue() {
    try {
      const q = await admin.get("/admin/enrichment/queue");
      if (!isCurrent()) return;
      const more = (flag) => (flag ? "+" : "");
      const worker = q.worker.running
        ? `A worker is draining it (lease until ${new Date(q.worker.expires_at * 1000).toLocaleTimeString()}).`
        : "No worker is running: the next runs within a minute, or as soon as titles are queued.";
      append(clear(queue), [
        h("p", { class: "mb-1", attrs: { id: "queue-counts" }, text: `${q.queued.toLocaleString()}${more(q.queued_more)} titles queued for enrichment, ${q.failed.toLocaleString()}${more(q.failed_more)} failed (the enrich job queues them again).` }),
        h("p", { class: "small mb-2", attrs: { id: "queue-worker" }, text: worker }),
        q.credits && q.credits.budget
          ? h("p", { class: "small mb-2", text: creditsText(q.credits) })
          : null,
        q.next.length
          ? table(["Next in line", "In viewers' feeds"], q.next.map((t) => h("tr", {},
            h("td", {}, h("span", { text: t.title || `Title ${t.id}` }), h("div", { class: "small text-body-secondary font-monospace", text: t.id })),
            h("td", { class: "small", text: String(t.viewers) }))), "Next in line")
          : h("p", { class: "small text-body-secondary mb-0", text: "Nothing waits: every title is enriched." }),
        h("button", { class: "btn btn-link btn-sm px-0 mt-2", type: "button", text: "Refresh the queue", on: { click: loadQueue } })]);
    } catch (error) {
      if (isCurrent()) failure(queue, "the enrichment queue", error);
    }
  }

  async function loadCredits() {
    try {
      const quota = await admin.get("/admin/watchmode/quota");
      if (!isCurrent()) return;
      const used = quota.credits_used ?? 0;
      const total = quota.credits_quota || 0;
      const percent = total ? Math.min(100, Math.round((used / total) * 100)) : 0;
      const bar = h("div", { class: `progress-bar${percent > 90 ? " bg-danger" : ""}`, attrs: { role: "progressbar", "aria-valuenow": String(percent), "aria-valuemin": "0", "aria-valuemax": "100", "aria-label": "Credits used" } });
      bar.style.width = `${percent}%`;
      clear(credits).append(
        h("p", { class: "mb-1", text: `${used.toLocaleString()} of ${total.toLocaleString()} credits used this month; ${quota.credits_left === null ? "unknown" : quota.credits_left.toLocaleString()} left.` }),
        h("div", { class: "progress" }, bar));
    } catch (error) {
      if (isCurrent()) failure(credits, "Watchmode credits", error);
    }
  }

  const actionRows = ACTIONS.map((action) => {
    const status = h("div", { id: action.status, class: "small job-status", attrs: { role: "status", "aria-live": "polite" } });
    const progress = progressBar();
    const button = h("button", {
      class: "btn btn-primary btn-sm w-100", type: "button", id: action.button, text: action.label,
      on: {
        click: async () => {
          button.disabled = true;
          await start(action.path, status, progress, isCurrent);
          button.disabled = false;
          loadJobs();
        },
      },
    });
    action.resume = (job) => {
      showJob(job, status, progress);
      follow(job.job_id, status, progress, isCurrent).then(loadJobs);
    };
    return h("div", { class: "row g-2 align-items-center mb-3" },
      h("div", { class: "col-sm-4" }, button),
      h("div", { class: "col-sm-8" }, h("div", { class: "small text-body-secondary", text: action.help }), status, progress.node));
  });

  clear(container).append(h("div", { class: "admin-panel" },
    h("div", { class: "row g-4" },
      h("div", { class: "col-lg-6" },
        card("Data Management", ...actionRows),
        card("Recent jobs", jobsList, h("button", { class: "btn btn-link btn-sm px-0 mt-2", type: "button", text: "Refresh jobs", on: { click: loadJobs } })),
        card("Watchmode credits", credits)),
      h("div", { class: "col-lg-6" },
        card("System Status",
          h("button", { class: "btn btn-outline-primary btn-sm mb-2", type: "button", id: "generateSummaryBtn", text: "Generate full summary", on: { click: generateSummary } }),
          summaryStatus, summaryProgress.node, summaryOutput),
        card("Enrichment queue", queue),
        card("Dead letters", deadLetters),
      ),
      h("div", { class: "col-12" }, card("Functions", functions)))));

  // Jobs already running (started elsewhere or by a schedule) show their progress here too.
  admin.get("/admin/jobs", { limit: 20 }).then(({ jobs }) => {
    if (!isCurrent()) return;
    for (const action of ACTIONS) {
      const active = jobs.find((job) => job.kind === action.kind && (job.status === "queued" || job.status === "running"));
      if (active) action.resume(active);
    }
  }).catch(() => {});
  return Promise.all([loadJobs(), loadSummary(), loadFunctions(), loadDeadLetters(), loadCredits(), loadQueue()]);
}

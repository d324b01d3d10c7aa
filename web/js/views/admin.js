// The admin screen (admins only; the admin API checks the group on every call): data management with live
// job progress, recent jobs, the table summary, functions' health with their logs, dead letters, credits.
import { admin } from "../api.js";
import { append, clear, h } from "../dom.js";
import { follow, progressBar, seconds, showJob, start } from "./admin-jobs.js";
import { card, creditsText, failure, table } from "./admin-parts.js";
import { creditsPanel, deadLettersPanel, functionsPanel, queuePanel } from "./admin-system.js";

const ACTIONS = [
  {
    kind: "reference_refresh",
    path: "/admin/reference/refresh",
    button: "refreshReferenceDataBtn",
    status: "refreshReferenceDataStatus",
    label: "Refresh reference data",
    help: "Reload streaming services and genres from Watchmode.",
  },
  {
    kind: "titles_refresh",
    path: "/admin/titles/refresh",
    button: "refreshTitleDataBtn",
    status: "refreshTitleDataStatus",
    label: "Refresh titles",
    help: "Fetch the titles viewers' preferences call for, store and enrich them.",
  },
  {
    kind: "titles_enrich",
    path: "/admin/titles/enrich",
    button: "triggerEnrichmentBtn",
    status: "triggerEnrichmentStatus",
    label: "Enrich titles",
    help: "Fetch details for every title that still needs them.",
  },
];
const KIND_NAMES = {
  reference_refresh: "Reference refresh",
  titles_refresh: "Titles refresh",
  titles_enrich: "Enrichment",
  summary: "Full summary",
};

export function renderAdmin(container, { isCurrent }) {
  const jobsList = h(
    "div",
    { id: "recentJobs" },
    h("p", { class: "text-body-secondary small", text: "Loading jobs…" }),
  );
  const summaryOutput = h("div", {
    id: "dynamoDbSummaryOutput",
    class: "summary-output",
    attrs: { "aria-live": "polite" },
  });
  const summaryStatus = h("p", {
    class: "small job-status mb-2",
    id: "generateSummaryStatus",
    attrs: { role: "status" },
  });
  const summaryProgress = progressBar();
  const functions = functionsPanel(isCurrent);
  const deadLetters = deadLettersPanel(isCurrent);
  const queue = queuePanel(isCurrent);
  const credits = creditsPanel(isCurrent);

  async function loadJobs() {
    try {
      const { jobs } = await admin.get("/admin/jobs", { limit: 10 });
      if (!isCurrent()) return;
      clear(jobsList).append(
        jobs.length === 0
          ? h("p", { class: "text-body-secondary small mb-0", text: "No jobs yet." })
          : table(
              ["Job", "Status", "Requested by", "Created", "Took"],
              jobs.map((job) =>
                h(
                  "tr",
                  {},
                  h(
                    "td",
                    {},
                    h("span", { text: KIND_NAMES[job.kind] || job.kind }),
                    h("div", { class: "small text-body-secondary font-monospace", text: job.job_id }),
                  ),
                  h(
                    "td",
                    {},
                    h("span", { class: `badge job-${job.status}`, text: job.status }),
                    job.error ? h("div", { class: "small text-danger", text: job.error }) : null,
                    job.status === "queued" || job.status === "running"
                      ? h("button", {
                          class: "btn btn-link btn-sm text-danger px-0 d-block cancel-job",
                          type: "button",
                          text: "Cancel",
                          attrs: { "aria-label": `Cancel job ${job.job_id}` },
                          on: { click: (event) => cancelJob(job, event.currentTarget) },
                        })
                      : null,
                  ),
                  h("td", { class: "small", text: job.requested_by.email || job.requested_by.type || "" }),
                  h("td", { class: "small", text: new Date(job.created_at).toLocaleString() }),
                  h("td", { class: "small", text: seconds(job.elapsed_seconds || 0) }),
                ),
              ),
              "Recent jobs",
            ),
      );
    } catch (error) {
      if (isCurrent()) failure(jobsList, "jobs", error);
    }
  }

  async function cancelJob(job, button) {
    if (
      !window.confirm(`Cancel this ${KIND_NAMES[job.kind] || job.kind} job? It ends as failed, and another may start.`)
    )
      return;
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
    const rows = summary.tables.map((t) =>
      h("li", {
        text: `Table ${t.name}: ${t.item_count.toLocaleString()} items, ${(t.size_bytes / 1024).toFixed(1)} KB`,
      }),
    );
    const c = summary.counts;
    append(clear(summaryOutput), [
      h("ul", { class: "list-unstyled mb-2" }, rows),
      c
        ? h(
            "dl",
            { class: "row small mb-1" },
            h("dt", { class: "col-6 col-md-4", text: "Titles" }),
            h("dd", {
              class: "col-6 col-md-8",
              text: `${c.titles.total} (${c.titles.enriched} enriched, ${c.titles.pending} queued for enrichment, ${c.titles.failed} failed${c.titles.deferred ? `, ${c.titles.deferred} deferred before the queue` : ""})`,
            }),
            h("dt", { class: "col-6 col-md-4", text: "Sources" }),
            h("dd", {
              class: "col-6 col-md-8",
              text: `${c.sources.active} active, ${c.sources.inactive} inactive`,
            }),
            h("dt", { class: "col-6 col-md-4", text: "Genres" }),
            h("dd", { class: "col-6 col-md-8", text: String(c.genres) }),
            h("dt", { class: "col-6 col-md-4", text: "Viewers with preferences" }),
            h("dd", { class: "col-6 col-md-8", text: String(c.viewers_with_preferences) }),
            h("dt", { class: "col-6 col-md-4", text: "Households" }),
            h("dd", { class: "col-6 col-md-8", text: String(c.households ?? 0) }),
            h("dt", { class: "col-6 col-md-4", text: "Availability rows" }),
            h("dd", { class: "col-6 col-md-8", text: String(c.availability_rows) }),
          )
        : null,
      summary.credits
        ? h("p", { class: "small mb-1", attrs: { id: "credit-budget" }, text: creditsText(summary.credits) })
        : null,
      summary.sources_not_refreshed?.length
        ? h(
            "div",
            { class: "alert alert-warning small py-2", attrs: { role: "status" } },
            h("strong", { text: `${summary.sources_not_refreshed.length} source(s) not refreshed` }),
            h(
              "ul",
              { class: "mb-0" },
              summary.sources_not_refreshed.map((s) =>
                h("li", {
                  text: `Source ${s.source_id}: ${s.failures} failed attempt(s), last: ${s.error || "unknown error"}`,
                }),
              ),
            ),
          )
        : null,
      h("p", {
        class: "small text-body-secondary mb-0",
        text: summary.counts_generated_at
          ? `Counts from the full summary of ${new Date(summary.counts_generated_at).toLocaleString()}.`
          : summary.message,
      }),
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

  const actionRows = ACTIONS.map((action) => {
    const status = h("div", {
      id: action.status,
      class: "small job-status",
      attrs: { role: "status", "aria-live": "polite" },
    });
    const progress = progressBar();
    const button = h("button", {
      class: "btn btn-primary btn-sm w-100",
      type: "button",
      id: action.button,
      text: action.label,
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
    return h(
      "div",
      { class: "row g-2 align-items-center mb-3" },
      h("div", { class: "col-sm-4" }, button),
      h(
        "div",
        { class: "col-sm-8" },
        h("div", { class: "small text-body-secondary", text: action.help }),
        status,
        progress.node,
      ),
    );
  });

  clear(container).append(
    h(
      "div",
      { class: "admin-panel" },
      h(
        "div",
        { class: "row g-4" },
        h(
          "div",
          { class: "col-lg-6" },
          card("Data Management", ...actionRows),
          card("Watchmode credits", credits.node),
        ),
        h(
          "div",
          { class: "col-lg-6" },
          card(
            "System Status",
            h("button", {
              class: "btn btn-outline-primary btn-sm mb-2",
              type: "button",
              id: "generateSummaryBtn",
              text: "Generate full summary",
              on: { click: generateSummary },
            }),
            summaryStatus,
            summaryProgress.node,
            summaryOutput,
          ),
          card("Enrichment queue", queue.node),
          card("Dead letters", deadLetters.node),
        ),
        // Full width: the jobs table has six columns, too many for half a 1280 px screen.
        h(
          "div",
          { class: "col-12" },
          card(
            "Recent jobs",
            jobsList,
            h("button", {
              class: "btn btn-link btn-sm px-0 mt-2",
              type: "button",
              text: "Refresh jobs",
              on: { click: loadJobs },
            }),
          ),
        ),
        h("div", { class: "col-12" }, card("Functions", functions.node)),
      ),
    ),
  );

  // Jobs already running (started elsewhere or by a schedule) show their progress here too.
  admin
    .get("/admin/jobs", { limit: 20 })
    .then(({ jobs }) => {
      if (!isCurrent()) return;
      for (const action of ACTIONS) {
        const active = jobs.find(
          (job) => job.kind === action.kind && (job.status === "queued" || job.status === "running"),
        );
        if (active) action.resume(active);
      }
    })
    .catch(() => {});
  return Promise.all([loadJobs(), loadSummary(), functions.load(), deadLetters.load(), credits.load(), queue.load()]);
}

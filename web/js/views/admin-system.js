// The admin screen's system panels: functions (with their logs), dead letters, the enrichment queue and
// Watchmode's credits. Each is a node and a `load` that fills it (again on a refresh).
import { admin } from "../api.js";
import { append, barChart, clear, h } from "../dom.js";
import { creditsText, failure, table } from "./admin-parts.js";

/** Each function's invocations, errors and p95, and a viewer of its latest logs. */
export function functionsPanel(isCurrent) {
  const functions = h(
    "div",
    { id: "functionHealth" },
    h("p", { class: "text-body-secondary small", text: "Loading functions…" }),
  );
  const logs = h("div", { id: "logViewer" });

  async function loadFunctions() {
    try {
      const { lambdas } = await admin.get("/admin/system/lambdas");
      if (!isCurrent()) return;
      const select = h(
        "select",
        { class: "form-select form-select-sm", id: "logFunction", attrs: { "aria-label": "Function" } },
        lambdas.map((fn) => h("option", { value: fn.arn, text: fn.function_name })),
      );
      const p95 = (value) => (value === null || value === undefined ? "–" : `${Math.round(value)} ms`);
      clear(functions).append(
        table(
          ["Function", "Invocations 1h / 24h", "Errors 1h / 24h", "p95 1h / 24h", "Last 24h"],
          lambdas.map((fn) =>
            h(
              "tr",
              {},
              h(
                "td",
                {},
                h("span", { text: fn.name }),
                h("div", { class: "small text-body-secondary", text: fn.function_name }),
              ),
              h("td", { text: `${fn.invocations_1h} / ${fn.invocations_24h}` }),
              h("td", {
                class: fn.errors_24h ? "text-danger" : "",
                text: `${fn.errors_1h} / ${fn.errors_24h}`,
              }),
              h("td", { text: `${p95(fn.duration_p95_ms_1h)} / ${p95(fn.duration_p95_ms_24h)}` }),
              h(
                "td",
                {},
                barChart(
                  [
                    ["successes", fn.success_count_24h, "chart-ok"],
                    ["errors", fn.errors_24h, "chart-error"],
                    ["throttles", fn.throttles_24h, "chart-warn"],
                  ],
                  {
                    label: `${fn.success_count_24h} successes, ${fn.errors_24h} errors, ${fn.throttles_24h} throttles in 24 hours`,
                  },
                ),
              ),
            ),
          ),
          "Functions",
        ),
        h("p", {
          class: "small text-body-secondary mt-2 mb-3",
          text: "From CloudWatch: 5-minute periods; p95 is the highest 5-minute p95 of the window. The local emulator records only direct invocations.",
        }),
        h(
          "div",
          { class: "row g-2 align-items-end" },
          h(
            "div",
            { class: "col-sm-8" },
            h("label", { class: "form-label small mb-1", htmlFor: "logFunction", text: "Logs of" }),
            select,
          ),
          h(
            "div",
            { class: "col-sm-4" },
            h("button", {
              class: "btn btn-outline-secondary btn-sm w-100",
              type: "button",
              id: "showLogsBtn",
              text: "Show latest logs",
              on: { click: () => loadLogs(select.value) },
            }),
          ),
        ),
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
      const lines = result.events
        .map((e) => `${new Date(e.timestamp).toISOString()}  ${e.message.trimEnd()}`)
        .join("\n");
      clear(logs).append(
        h("p", {
          class: "small text-body-secondary mt-2 mb-1",
          text: `${result.log_group} · ${result.stream_name || "no stream yet"} · ${result.events.length} events${result.truncated ? " (truncated)" : ""}`,
        }),
        h("pre", { class: "log-output", tabIndex: 0, text: lines || "No log events." }),
      );
    } catch (error) {
      if (isCurrent()) failure(logs, "logs", error);
    }
  }
  return { node: functions, load: loadFunctions };
}

/** Each dead-letter queue: what waits and why, with a redrive button. */
export function deadLettersPanel(isCurrent) {
  const deadLetters = h(
    "div",
    { id: "deadLetters" },
    h("p", { class: "text-body-secondary small", text: "Loading dead letters…" }),
  );

  async function loadDeadLetters() {
    try {
      const { queues } = await admin.get("/admin/dead-letters");
      if (!isCurrent()) return;
      clear(deadLetters).append(
        ...queues.map((queue) => {
          const result = h("span", { class: "small ms-2", attrs: { role: "status" } });
          const redrive = h("button", {
            class: "btn btn-outline-danger btn-sm",
            type: "button",
            text: "Redrive",
            disabled: queue.messages === 0,
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
          return h(
            "div",
            { class: "border-bottom py-2 dead-letter-queue", dataset: { queue: queue.queue } },
            h(
              "div",
              { class: "d-flex align-items-center" },
              h("strong", { class: "me-2", text: queue.queue }),
              h("span", {
                class: `badge ${queue.messages ? "text-bg-danger" : "text-bg-secondary"} me-auto`,
                text: `${queue.messages} waiting`,
              }),
              redrive,
              result,
            ),
            queue.newest.length
              ? h(
                  "ul",
                  { class: "small mb-0 mt-1" },
                  queue.newest.map((m) => h("li", { text: `${new Date(m.sent_at).toLocaleString()}: ${m.reason}` })),
                )
              : null,
          );
        }),
      );
    } catch (error) {
      if (isCurrent()) failure(deadLetters, "dead letters", error);
    }
  }
  return { node: deadLetters, load: loadDeadLetters };
}

/** The enrichment queue: counts, the worker, the next titles in line. */
export function queuePanel(isCurrent) {
  const queue = h(
    "div",
    { id: "enrichmentQueue" },
    h("p", { class: "text-body-secondary small", text: "Loading the queue…" }),
  );

  async function loadQueue() {
    try {
      const q = await admin.get("/admin/enrichment/queue");
      if (!isCurrent()) return;
      const more = (flag) => (flag ? "+" : "");
      const worker = q.worker.running
        ? `A worker is draining it (lease until ${new Date(q.worker.expires_at * 1000).toLocaleTimeString()}).`
        : "No worker is running: the next runs within a minute, or as soon as titles are queued.";
      append(clear(queue), [
        h("p", {
          class: "mb-1",
          attrs: { id: "queue-counts" },
          text: `${q.queued.toLocaleString()}${more(q.queued_more)} titles queued for enrichment, ${q.failed.toLocaleString()}${more(q.failed_more)} failed (the enrich job queues them again).`,
        }),
        h("p", { class: "small mb-2", attrs: { id: "queue-worker" }, text: worker }),
        q.credits?.budget ? h("p", { class: "small mb-2", text: creditsText(q.credits) }) : null,
        q.next.length
          ? table(
              ["Next in line", "In viewers' feeds"],
              q.next.map((t) =>
                h(
                  "tr",
                  {},
                  h(
                    "td",
                    {},
                    h("span", { text: t.title || `Title ${t.id}` }),
                    h("div", { class: "small text-body-secondary font-monospace", text: t.id }),
                  ),
                  h("td", { class: "small", text: String(t.viewers) }),
                ),
              ),
              "Next in line",
            )
          : h("p", {
              class: "small text-body-secondary mb-0",
              text: "Nothing waits: every title is enriched.",
            }),
        h("button", {
          class: "btn btn-link btn-sm px-0 mt-2",
          type: "button",
          text: "Refresh the queue",
          on: { click: loadQueue },
        }),
      ]);
    } catch (error) {
      if (isCurrent()) failure(queue, "the enrichment queue", error);
    }
  }
  return { node: queue, load: loadQueue };
}

/** Watchmode's credits this month, from its status call. */
export function creditsPanel(isCurrent) {
  const credits = h(
    "div",
    { id: "watchmodeCredits" },
    h("p", { class: "text-body-secondary small", text: "Loading credits…" }),
  );

  async function loadCredits() {
    try {
      const quota = await admin.get("/admin/watchmode/quota");
      if (!isCurrent()) return;
      const used = quota.credits_used ?? 0;
      const total = quota.credits_quota || 0;
      const percent = total ? Math.min(100, Math.round((used / total) * 100)) : 0;
      const bar = h("div", {
        class: `progress-bar${percent > 90 ? " bg-danger" : ""}`,
        attrs: {
          role: "progressbar",
          "aria-valuenow": String(percent),
          "aria-valuemin": "0",
          "aria-valuemax": "100",
          "aria-label": "Credits used",
        },
      });
      bar.style.width = `${percent}%`;
      clear(credits).append(
        h("p", {
          class: "mb-1",
          text: `${used.toLocaleString()} of ${total.toLocaleString()} credits used this month; ${quota.credits_left === null ? "unknown" : quota.credits_left.toLocaleString()} left.`,
        }),
        h("div", { class: "progress" }, bar),
      );
    } catch (error) {
      if (isCurrent()) failure(credits, "Watchmode credits", error);
    }
  }
  return { node: credits, load: loadCredits };
}

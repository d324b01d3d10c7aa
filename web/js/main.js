// Starts the site: the navbar follows the session, the router renders the views.
import { configProblem } from "./config.js";
import {
  completeHostedUiSignIn,
  currentSession,
  onSessionChange,
  signOut,
  startSessionUpkeep,
  usesHostedUi,
  signInWithHostedUi,
} from "./auth.js";
import { byId, clear, h } from "./dom.js";
import { current, fallback, go, redirect, render, route, start } from "./router.js";
import { refreshBell, startBell } from "./bell.js";
import { forgetWatchlist } from "./watchlist.js";
import { renderWatchlist } from "./views/watchlist.js";
import { renderAlerts } from "./views/alerts.js";
import { renderSearch } from "./views/search.js";
import { signInCard } from "./views/signin.js";
import { renderTitles } from "./views/titles.js";
import { renderPreferences } from "./views/preferences.js";
import { renderAdmin } from "./views/admin.js";
import { setUpModal } from "./views/modal.js";
import { renderSettings } from "./views/settings.js";
import { renderHousehold } from "./views/household.js";
import { renderJoin } from "./views/household-join.js";
import { startAppShell } from "./offline.js";

const app = byId("app");

function updateNavbar(session) {
  byId("loginBtn").classList.toggle("d-none", Boolean(session));
  byId("logoutBtn").classList.toggle("d-none", !session);
  const greeting = byId("user-greeting");
  greeting.textContent = session ? `Welcome, ${session.email}` : "";
  greeting.classList.toggle("d-none", !session);
  byId("adminNav").classList.toggle("d-none", !session?.isAdmin);
  byId("searchForm").classList.toggle("d-none", !session);
  byId("notificationsBell").classList.toggle("d-none", !session);
}

function mainLayout(page, session) {
  const tab = (name, label, href) =>
    h(
      "li",
      { class: "nav-item" },
      h("a", {
        class: `nav-link${page === name ? " active" : ""}`,
        href,
        dataset: { page: name },
        attrs: { "aria-current": page === name ? "page" : null },
        text: label,
      }),
    );
  const content = h("div", { id: "page-content" });
  clear(app).append(
    h(
      "ul",
      { class: "nav nav-pills mb-4", id: "main-nav-tabs" },
      tab("titles", "Titles", "#/main/titles"),
      tab("watchlist", "Watchlist", "#/main/watchlist"),
      tab("preferences", "Preferences", "#/main/preferences"),
      tab("household", "Household", "#/main/household"),
      tab("settings", "Alert settings", "#/main/settings"),
      session.isAdmin ? tab("admin", "Admin", "#/admin") : null,
    ),
    content,
  );
  return content;
}

/** A route that needs a session: the sign-in card otherwise. */
function signedIn(view) {
  return (ctx) => {
    const session = currentSession();
    if (!session) {
      clear(app).append(signInCard());
      return;
    }
    return view(session, ctx);
  };
}

route(
  "#/",
  signedIn(() => redirect("#/main/titles")),
);
route(
  "#/main/titles",
  signedIn((session, ctx) => renderTitles(mainLayout("titles", session), ctx)),
);
route(
  "#/main/preferences",
  signedIn((session, ctx) => renderPreferences(mainLayout("preferences", session), ctx)),
);
route(
  "#/main/watchlist",
  signedIn((session, ctx) => renderWatchlist(mainLayout("watchlist", session), ctx)),
);
route(
  "#/main/alerts",
  signedIn((session, ctx) => renderAlerts(mainLayout("alerts", session), ctx)),
);
route(
  "#/main/settings",
  signedIn((session, ctx) => renderSettings(mainLayout("settings", session), ctx)),
);
route(
  "#/main/household",
  signedIn((session, ctx) => renderHousehold(mainLayout("household", session), ctx)),
);
route(
  "#/household/join",
  signedIn((session, ctx) => renderJoin(mainLayout("household", session), ctx)),
);
route(
  "#/main/search",
  signedIn((session, ctx) => renderSearch(mainLayout("search", session), ctx)),
);
route(
  "#/admin",
  signedIn((session, ctx) => {
    if (!session.isAdmin) return redirect("#/main/titles");
    return renderAdmin(mainLayout("admin", session), ctx);
  }),
);
fallback(signedIn(() => redirect("#/main/titles")));

async function boot() {
  startAppShell();
  const problem = configProblem();
  if (problem) {
    clear(app).append(h("div", { class: "alert alert-danger", attrs: { role: "alert" }, text: problem }));
    return;
  }
  setUpModal();
  try {
    await completeHostedUiSignIn();
  } catch (error) {
    clear(app).append(h("div", { class: "alert alert-danger", attrs: { role: "alert" }, text: error.message }));
  }
  updateNavbar(currentSession());
  onSessionChange((session) => {
    forgetWatchlist();
    updateNavbar(session);
    render();
    refreshBell();
  });
  byId("searchForm").addEventListener("submit", (event) => {
    event.preventDefault();
    const q = byId("searchInput").value.trim();
    if (q) go(`#/main/search?q=${encodeURIComponent(q)}`);
  });
  window.addEventListener("hashchange", refreshBell);
  byId("logoutBtn").addEventListener("click", () => signOut());
  byId("loginBtn").addEventListener("click", () => {
    if (usesHostedUi()) return signInWithHostedUi();
    if (current() !== "#/" && !currentSession()) render();
    const email = byId("signInEmail");
    if (email) email.focus();
  });
  startSessionUpkeep();
  start();
  startBell();
}

boot();

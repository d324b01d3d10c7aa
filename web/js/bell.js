// The navbar's alerts bell: the unread count, refreshed on each page and every minute while signed in.
import { api } from "./api.js";
import { currentSession } from "./auth.js";

const PERIOD_MS = 60_000;
let timer = null;

export async function refreshBell() {
  const bell = document.getElementById("notificationsBell");
  const badge = document.getElementById("notificationsCount");
  if (!bell || !badge) return;
  if (!currentSession()) {
    bell.classList.add("d-none");
    return;
  }
  bell.classList.remove("d-none");
  try {
    const { unread } = await api.alerts();
    badge.textContent = unread > 99 ? "99+" : String(unread);
    badge.classList.toggle("d-none", unread === 0);
    bell.setAttribute("aria-label", unread ? `Alerts: ${unread} unread` : "Alerts: none unread");
  } catch {
    badge.classList.add("d-none"); // the count is a courtesy; the alerts page says what went wrong
  }
}

export function startBell() {
  if (timer) clearInterval(timer);
  timer = setInterval(refreshBell, PERIOD_MS);
  return refreshBell();
}

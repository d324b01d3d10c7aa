// The alert settings page: every way the guide tells the viewer that a watchlisted title arrived on, or is
// leaving, one of their services — in the app (always), by email, by push on each device they turn it on
// for, and in any calendar app through a private link.
import { api } from "../api.js";
import { config } from "../config.js";
import { clear, h } from "../dom.js";
import { copyableLink } from "./copy-link.js";

const when = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric" });

function section(id, title, ...body) {
  return h(
    "section",
    { class: "card mb-3", id, attrs: { "aria-labelledby": `${id}Heading` } },
    h("div", { class: "card-body" }, h("h3", { class: "h6 card-title", id: `${id}Heading`, text: title }), ...body),
  );
}

function status(id) {
  return h("p", { class: "small text-body-secondary mb-0 mt-2", id, attrs: { "aria-live": "polite" } });
}

async function emailSettings(isCurrent) {
  const input = h("input", {
    class: "form-check-input",
    type: "checkbox",
    id: "emailAlertsToggle",
    attrs: { role: "switch" },
  });
  const frequency = h(
    "select",
    { class: "form-select form-select-sm w-auto mw-100", id: "emailFrequency", attrs: { "aria-label": "How often" } },
    h("option", { value: "instant", text: "Each alert at once" }),
    h("option", { value: "weekly", text: "A weekly digest" }),
  );
  const said = h("span", {
    class: "small text-body-secondary",
    id: "emailAlertsStatus",
    attrs: { "aria-live": "polite" },
  });
  const node = h(
    "div",
    {},
    h(
      "div",
      { class: "form-check form-switch mb-2" },
      input,
      h("label", { class: "form-check-label", htmlFor: "emailAlertsToggle", text: "Email me" }),
    ),
    h("div", { class: "d-flex flex-wrap align-items-center gap-2" }, frequency, said),
  );
  let shown = { email_alerts: false, email_frequency: "instant" };
  const show = (settings) => {
    shown = settings;
    input.checked = settings.email_alerts;
    frequency.value = settings.email_frequency || "instant";
    frequency.disabled = !settings.email_alerts;
  };
  try {
    const settings = await api.alertSettings();
    if (!isCurrent()) return node;
    show(settings);
    said.textContent = settings.email_alerts && settings.email ? `(to ${settings.email})` : "";
  } catch (error) {
    input.disabled = true;
    frequency.disabled = true;
    said.textContent = `Alert settings unavailable: ${error.message}`;
  }
  const save = async () => {
    input.disabled = true;
    frequency.disabled = true;
    try {
      const saved = await api.saveAlertSettings({ email_alerts: input.checked, email_frequency: frequency.value });
      show(saved);
      const how = saved.email_frequency === "weekly" ? "a weekly digest" : "each alert";
      said.textContent = saved.email_alerts ? `Saved: ${how} to ${saved.email}` : "Saved: no emails";
    } catch (error) {
      said.textContent = `Not saved: ${error.message}`;
      show(shown); // what is saved, not what was asked
    } finally {
      input.disabled = false;
    }
  };
  input.addEventListener("change", save);
  frequency.addEventListener("change", save);
  return node;
}

// --- push ---------------------------------------------------------------------------------------------

const pushSupported = () =>
  window.isSecureContext && "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

/** The server's id of a subscription: the first 20 hex digits of its endpoint's SHA-256. */
async function deviceId(endpoint) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(endpoint));
  return [...new Uint8Array(digest)]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("")
    .slice(0, 20);
}

function deviceLabel() {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
      ? "Firefox"
      : /Chrom/.test(ua)
        ? "Chrome"
        : /Safari\//.test(ua)
          ? "Safari"
          : "Browser";
  const system = /Android/.test(ua)
    ? "Android"
    : /iPhone|iPad/.test(ua)
      ? "iOS"
      : /Mac OS X/.test(ua)
        ? "macOS"
        : /Windows/.test(ua)
          ? "Windows"
          : /Linux/.test(ua)
            ? "Linux"
            : "this device";
  return `${browser} on ${system}`;
}

async function pushSection(isCurrent) {
  const toggle = h("button", {
    type: "button",
    class: "btn btn-primary btn-sm",
    id: "pushToggle",
    disabled: true,
    text: "Turn on notifications",
  });
  const said = status("pushStatus");
  const list = h("ul", { class: "list-group list-group-flush mt-2", id: "pushDevices" });
  let subscription = null;
  let thisDevice = null;

  async function load() {
    clear(list);
    const [push, registration] = await Promise.all([api.push(), navigator.serviceWorker.ready]);
    if (!isCurrent()) return;
    subscription = await registration.pushManager.getSubscription();
    thisDevice = subscription ? await deviceId(subscription.endpoint) : null;
    const mine = push.devices.find((d) => d.id === thisDevice);
    toggle.textContent = mine ? "Turn off on this device" : "Turn on notifications";
    toggle.dataset.on = mine ? "true" : "false";
    toggle.className = mine ? "btn btn-outline-secondary btn-sm" : "btn btn-primary btn-sm";
    toggle.disabled = !push.public_key;
    toggle.dataset.key = push.public_key || "";
    for (const device of push.devices) {
      const off = h("button", {
        type: "button",
        class: "btn btn-link btn-sm p-0",
        text: "Turn off",
        attrs: { "aria-label": `Turn off notifications on ${device.label || "that device"}` },
      });
      off.addEventListener("click", () => act(() => api.removePushDevice(device.id), "Turned off on that device"));
      list.append(
        h(
          "li",
          {
            class: "list-group-item small d-flex justify-content-between align-items-center px-0",
            dataset: { deviceId: device.id },
          },
          h("span", {
            text: `${device.label || "A device"}${device.id === thisDevice ? " (this device)" : ""} · since ${when.format(new Date(device.created_at))}`,
          }),
          off,
        ),
      );
    }
    if (!push.devices.length)
      list.append(
        h("li", { class: "list-group-item px-0 text-body-secondary small", text: "No device gets notifications yet." }),
      );
  }

  async function act(change, done) {
    toggle.disabled = true;
    try {
      said.textContent = (await change()) || done;
    } catch (error) {
      said.textContent = `Not changed: ${error.message}`;
    }
    try {
      await load();
    } catch (error) {
      said.textContent = `Could not load your devices: ${error.message}`;
    }
  }

  toggle.addEventListener("click", () =>
    act(async () => {
      if (toggle.dataset.on === "true") {
        await subscription?.unsubscribe();
        await api.removePushDevice(thisDevice);
        return "Notifications are off on this device";
      }
      // The browser asks for permission only now, because the viewer asked for notifications.
      const permission = await Notification.requestPermission();
      if (permission !== "granted")
        return "Notifications are blocked for this site: allow them in the browser's site settings";
      const registration = await navigator.serviceWorker.ready;
      const created = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(toggle.dataset.key),
      });
      await api.addPushDevice({ ...created.toJSON(), label: deviceLabel() });
      return "Notifications are on for this device";
    }, ""),
  );

  const body = [
    h("p", { class: "small mb-2", text: "A notification on this phone or computer, even when the guide is closed." }),
    toggle,
    list,
    said,
  ];
  if (!pushSupported()) {
    said.textContent =
      "This browser cannot get notifications from the guide (on an iPhone, add the guide to your Home Screen first).";
    return section("pushSettings", "Notifications on your devices", ...body);
  }
  try {
    await load();
  } catch (error) {
    said.textContent = `Notifications unavailable: ${error.message}`;
  }
  return section("pushSettings", "Notifications on your devices", ...body);
}

// --- calendar -----------------------------------------------------------------------------------------

async function calendarSection(isCurrent) {
  const area = h("div", { id: "calendarLink" });
  const said = status("calendarStatus");

  function show(link) {
    clear(area);
    if (!link) {
      const create = h("button", {
        type: "button",
        class: "btn btn-primary btn-sm",
        id: "calendarCreate",
        text: "Create a calendar link",
      });
      create.addEventListener("click", () =>
        act(api.createCalendarLink, "Calendar link created: add it to your calendar app"),
      );
      area.append(create);
      return;
    }
    const url = config.apiEndpoint + link.path;
    const { input: field, copy } = copyableLink({
      inputId: "calendarUrl",
      copyId: "calendarCopy",
      label: "Your private calendar link",
      said,
      monospace: true,
    });
    field.value = url;
    const renew = h("button", {
      type: "button",
      class: "btn btn-outline-secondary btn-sm",
      id: "calendarRenew",
      text: "New link",
    });
    renew.addEventListener("click", () => act(api.createCalendarLink, "A new link: the old one no longer works"));
    const revoke = h("button", {
      type: "button",
      class: "btn btn-outline-danger btn-sm",
      id: "calendarRevoke",
      text: "Revoke",
    });
    revoke.addEventListener("click", () => act(api.revokeCalendarLink, "Revoked: the link no longer works"));
    area.append(
      h("div", { class: "input-group input-group-sm mb-2" }, field, copy),
      h(
        "div",
        { class: "d-flex gap-2 align-items-center" },
        renew,
        revoke,
        h("span", { class: "small text-body-secondary", text: `Created ${when.format(new Date(link.created_at))}` }),
      ),
    );
  }

  async function act(change, done) {
    for (const button of area.querySelectorAll("button")) button.disabled = true;
    try {
      const answer = await change();
      show(answer.link);
      said.textContent = done;
    } catch (error) {
      said.textContent = `Not changed: ${error.message}`;
      for (const button of area.querySelectorAll("button")) button.disabled = false;
    }
  }

  try {
    const answer = await api.calendarLink();
    if (isCurrent()) show(answer.link);
  } catch (error) {
    said.textContent = `Calendar link unavailable: ${error.message}`;
  }
  return section(
    "calendarSettings",
    "Your calendar",
    h("p", {
      class: "small mb-2",
      text: "A private link any calendar app can subscribe to: the dates your watchlisted titles arrive on and leave your services. Anyone with the link sees those dates, so keep it to yourself; revoke it to stop it working.",
    }),
    area,
    said,
  );
}

export async function renderSettings(container, { isCurrent }) {
  const [email, push, calendar] = await Promise.all([
    emailSettings(isCurrent),
    pushSection(isCurrent),
    calendarSection(isCurrent),
  ]);
  if (!isCurrent()) return;
  clear(container).append(
    h("h2", { class: "h4 mb-1", text: "Alert settings" }),
    h("p", {
      class: "text-body-secondary mb-3",
      text: "How the guide tells you that a title on your watchlist arrives on, or is about to leave, one of your services.",
    }),
    section(
      "appSettings",
      "In the app",
      h(
        "p",
        { class: "small mb-0" },
        "Always on: the bell at the top shows new alerts; ",
        h("a", { href: "#/main/alerts", text: "see them all" }),
        ".",
      ),
    ),
    section(
      "emailSettings",
      "Email",
      h("p", {
        class: "small mb-2",
        text: "To the address you sign in with: each alert as it happens, or instead one email on Monday mornings of everything that arrived on your services in the week before.",
      }),
      email,
    ),
    push,
    calendar,
  );
}

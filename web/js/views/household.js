// The household page: create one, or (in one) its shared services, members, invites by one-time link,
// your own sharing, leaving; and "watch together": titles on the household's services that suit every
// chosen member's genres, best rated first, with a "surprise me" pick among the best.
import { api, ApiError } from "../api.js";
import { alertBox, clear, h } from "../dom.js";
import { copyableLink } from "./copy-link.js";
import { section, status } from "./household-parts.js";
import { memberWatchlist, togetherSection } from "./together.js";

const when = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });

function field(id, label, props = {}) {
  return h(
    "div",
    { class: "mb-2" },
    h("label", { class: "form-label small mb-1", htmlFor: id, text: label }),
    h("input", { class: "form-control form-control-sm", id, maxLength: 40, ...props }),
  );
}

/** The link a new member opens: this site, at the join page, with the token after "#" (never sent to a
 * server by the browser). */
export function inviteUrl(token) {
  return `${window.location.origin}${window.location.pathname}#/household/join?token=${encodeURIComponent(token)}`;
}

function createForm(onCreated) {
  const said = status("householdCreateStatus");
  const form = h(
    "form",
    { id: "householdCreateForm", attrs: { novalidate: "" } },
    field("householdName", "Household name", { placeholder: "e.g. The Flat", required: true }),
    field("householdYourName", "Your name (as the others see it)", { placeholder: "optional" }),
    h("button", { type: "submit", class: "btn btn-primary btn-sm", id: "householdCreate", text: "Create household" }),
    said,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = form.querySelector("#householdName").value.trim();
    if (!name) {
      said.textContent = "Give the household a name.";
      return;
    }
    const yourName = form.querySelector("#householdYourName").value.trim();
    try {
      await api.createHousehold(yourName ? { name, your_name: yourName } : { name });
      onCreated();
    } catch (error) {
      said.textContent = `Not created: ${error.message}`;
    }
  });
  return section(
    "householdCreateCard",
    "Share your services with your household",
    h("p", {
      class: "small",
      text: "A household shares its streaming services: everyone in it sees what is on them, while genres, watchlist and alerts stay each person's own. Create one, then invite the others with a one-time link.",
    }),
    form,
  );
}

function membersList(home, me, reload) {
  const said = status("householdMembersStatus");
  const act = (label, cls, run) =>
    h("button", {
      type: "button",
      class: `btn btn-link btn-sm p-0 ${cls}`,
      text: label,
      on: {
        click: async () => {
          try {
            const done = await run();
            reload({ keep: done.message });
          } catch (error) {
            said.textContent = `Not done: ${error.message}`;
          }
        },
      },
    });
  // A member who can change the services manages the others: who else may, and who is in.
  const manage = (m) =>
    me.can_change_services && !m.you
      ? [
          act(m.can_change_services ? "Stop them changing services" : "Let them change services", "member-right", () =>
            api.setMemberRight(m.member_id, !m.can_change_services),
          ),
          act(`Remove ${m.name}`, "text-danger member-remove", () => api.removeMember(m.member_id)),
        ]
      : [];
  return h(
    "div",
    {},
    h(
      "ul",
      { class: "list-group list-group-flush", id: "householdMembers" },
      home.members.map((m) =>
        h(
          "li",
          {
            class: "list-group-item px-0 d-flex flex-wrap gap-2 align-items-center",
            dataset: { memberId: m.member_id },
          },
          h("span", { class: "fw-semibold member-name", text: m.name }),
          m.you ? h("span", { class: "badge text-bg-secondary", text: "you" }) : null,
          m.can_change_services
            ? h("span", { class: "badge text-bg-light border", text: "can change services" })
            : null,
          m.share_watchlist
            ? h("a", {
                class: "small member-watchlist",
                href: `#/main/household?watchlist=${encodeURIComponent(m.member_id)}`,
                text: m.you ? "Your watchlist is shared" : `See ${m.name}'s watchlist`,
              })
            : null,
          h("span", { class: "ms-auto d-flex gap-3" }, manage(m)),
        ),
      ),
    ),
    said,
  );
}

/** `made`: the invite just created ({url, message}), shown this once after the page reloaded. */
function invitesSection(home, me, reload, made) {
  const canChange = h("input", { class: "form-check-input", type: "checkbox", id: "householdInviteCanChange" });
  const expiry = h(
    "select",
    {
      class: "form-select form-select-sm w-auto",
      id: "householdInviteExpiry",
      attrs: { "aria-label": "Link works for" },
    },
    h("option", { value: "24", text: "for 1 day" }),
    h("option", { value: "48", text: "for 2 days", selected: true }),
    h("option", { value: "168", text: "for 7 days" }),
  );
  const said = status("householdInviteStatus");
  const { input: link, copy } = copyableLink({
    inputId: "householdInviteLink",
    copyId: "householdInviteCopy",
    label: "Invite link",
    said,
  });
  const shown = h("div", { class: "input-group input-group-sm mt-2 d-none", id: "householdInviteShown" }, link, copy);
  if (made) {
    link.value = made.url;
    shown.classList.remove("d-none");
    said.textContent = made.message;
  }
  const create = h("button", {
    type: "button",
    class: "btn btn-primary btn-sm",
    id: "householdInviteCreate",
    text: "Create invite link",
  });
  create.addEventListener("click", async () => {
    create.disabled = true;
    try {
      const invite = await api.createInvite({
        can_change_services: canChange.checked,
        expires_in_hours: Number(expiry.value),
      });
      const until = when.format(new Date(invite.expires_at));
      const message = `Send this link to one person: it works once, until ${until}. It is shown only now.`;
      reload({ invite: { url: inviteUrl(invite.token), message } });
    } catch (error) {
      said.textContent = `No invite: ${error.message}`;
    } finally {
      create.disabled = false;
    }
  });
  const pending = h(
    "ul",
    { class: "list-unstyled small mb-0 mt-2", id: "householdInvites" },
    home.invites.map((invite) =>
      h(
        "li",
        { class: "d-flex gap-2 align-items-center mb-1", dataset: { inviteId: invite.invite_id } },
        h("span", {
          text: `Invite by ${invite.created_by || "a member"}, works until ${when.format(new Date(invite.expires_at))}${invite.can_change_services ? " (can change services)" : ""}`,
        }),
        h("button", {
          type: "button",
          class: "btn btn-link btn-sm p-0 ms-auto invite-revoke",
          text: "Revoke",
          on: {
            click: async () => {
              try {
                await api.revokeInvite(invite.invite_id);
                reload({ keep: "Invite revoked: its link no longer works." });
              } catch (error) {
                said.textContent = `Not revoked: ${error.message}`;
              }
            },
          },
        }),
      ),
    ),
  );
  return section(
    "householdInvitesCard",
    "Invite someone",
    h(
      "div",
      { class: "d-flex flex-wrap gap-2 align-items-center" },
      me.can_change_services
        ? h(
            "div",
            { class: "form-check mb-0" },
            canChange,
            h("label", {
              class: "form-check-label small",
              htmlFor: "householdInviteCanChange",
              text: "They may change the services",
            }),
          )
        : null,
      expiry,
      create,
    ),
    shown,
    said,
    home.invites.length ? h("p", { class: "small fw-semibold mt-3 mb-1", text: "Pending invites" }) : null,
    pending,
  );
}

function meSection(me, reload) {
  const share = h("input", {
    class: "form-check-input",
    type: "checkbox",
    id: "householdShareWatchlist",
    checked: me.share_watchlist,
    attrs: { role: "switch" },
  });
  const said = status("householdMeStatus");
  share.addEventListener("change", async () => {
    share.disabled = true;
    try {
      await api.updateMembership({ share_watchlist: share.checked });
      reload({ keep: share.checked ? "Your watchlist is shared with the household." : "Your watchlist is private." });
    } catch (error) {
      share.checked = !share.checked;
      said.textContent = `Not saved: ${error.message}`;
      share.disabled = false;
    }
  });
  const leave = h("button", {
    type: "button",
    class: "btn btn-outline-danger btn-sm",
    id: "householdLeave",
    text: "Leave household",
  });
  // Asked once more in the page (no browser dialog): leaving is at once.
  const sure = h("button", {
    type: "button",
    class: "btn btn-danger btn-sm ms-2 d-none",
    id: "householdLeaveConfirm",
    text: "Yes, leave: I get my own services back",
  });
  leave.addEventListener("click", () => {
    sure.classList.toggle("d-none");
    sure.focus();
  });
  sure.addEventListener("click", async () => {
    sure.disabled = true;
    try {
      const left = await api.leaveHousehold();
      reload({ keep: left.message });
    } catch (error) {
      said.textContent = `Could not leave: ${error.message}`;
      sure.disabled = false;
    }
  });
  return section(
    "householdMeCard",
    "You in this household",
    h(
      "div",
      { class: "form-check form-switch mb-2" },
      share,
      h("label", {
        class: "form-check-label",
        htmlFor: "householdShareWatchlist",
        text: "Share my watchlist with the household",
      }),
    ),
    h("p", {
      class: "small text-body-secondary",
      text: "Your genres, watchlist and alerts are your own; nobody sees your watchlist unless you share it.",
    }),
    leave,
    sure,
    said,
  );
}

export async function renderHousehold(container, ctx) {
  const { isCurrent, params, keep, invite } = ctx;
  const notice = h("div", { class: "alert alert-info d-none", id: "householdNotice", attrs: { role: "status" } });
  const reload = (opts = {}) => renderHousehold(container, { isCurrent, params, ...opts });
  let home;
  let prefs;
  try {
    // The preferences say whether the viewer is in a household (GET /household answers 404 when not).
    prefs = await api.preferences();
    home = prefs.household
      ? await api.household().catch((error) => {
          if (error instanceof ApiError && error.status === 404) return null; // left meanwhile
          throw error;
        })
      : null;
  } catch (error) {
    if (!isCurrent()) return;
    clear(container).append(alertBox(`Could not load your household: ${error.message}`));
    return;
  }
  if (!isCurrent()) return;
  const mySources = new Set(prefs.sources);
  const memberId = params?.get("watchlist");
  if (home && memberId) return memberWatchlist(container, memberId, mySources, isCurrent);
  if (keep) {
    notice.textContent = keep;
    notice.classList.remove("d-none");
  }
  if (!home) {
    clear(container).append(
      h("h2", { class: "h4 mb-3", text: "Your household" }),
      notice,
      createForm(() => reload({ keep: "Household created." })),
    );
    return;
  }
  const me = home.members.find((m) => m.you);
  const services = h(
    "p",
    { class: "mb-1", id: "householdServices" },
    home.services.length ? home.services.map((s) => s.name).join(", ") : "No services chosen yet.",
  );
  const together = togetherSection(home, mySources);
  clear(container).append(
    h("h2", { class: "h4 mb-3", id: "householdTitle", text: home.name }),
    notice,
    section(
      "householdServicesCard",
      "Shared services",
      services,
      h("a", {
        class: "small",
        href: "#/main/preferences",
        text: me?.can_change_services ? "Change the household's services" : "Only some members can change them",
      }),
    ),
    section("householdMembersCard", `Members (${home.members.length})`, membersList(home, me || {}, reload)),
    together.node,
    invitesSection(home, me || {}, reload, invite),
    meSection(me || {}, reload),
  );
  await together.load();
}

// The household page: create one, or (in one) its shared services, members, invites by one-time link,
// your own sharing, leaving; and "watch together": titles on the household's services that suit every
// chosen member's genres, best rated first, with a "surprise me" pick among the best.
import { api, ApiError } from "../api.js";
import { clear, h } from "../dom.js";
import { titleCard } from "./cards.js";
import { openTitle } from "./modal.js";

const when = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });

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

function membersList(home) {
  return h(
    "ul",
    { class: "list-group list-group-flush", id: "householdMembers" },
    home.members.map((m) =>
      h(
        "li",
        { class: "list-group-item px-0 d-flex flex-wrap gap-2 align-items-center", dataset: { memberId: m.member_id } },
        h("span", { class: "fw-semibold member-name", text: m.name }),
        m.you ? h("span", { class: "badge text-bg-secondary", text: "you" }) : null,
        m.can_change_services ? h("span", { class: "badge text-bg-light border", text: "can change services" }) : null,
        m.share_watchlist
          ? h("a", {
              class: "small ms-auto member-watchlist",
              href: `#/main/household?watchlist=${encodeURIComponent(m.member_id)}`,
              text: m.you ? "Your watchlist is shared" : `See ${m.name}'s watchlist`,
            })
          : null,
      ),
    ),
  );
}

function invitesSection(home, me, reload) {
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
  const link = h("input", {
    class: "form-control form-control-sm",
    id: "householdInviteLink",
    readOnly: true,
    attrs: { "aria-label": "Invite link" },
  });
  const copy = h("button", {
    type: "button",
    class: "btn btn-outline-secondary btn-sm",
    id: "householdInviteCopy",
    text: "Copy",
  });
  const shown = h("div", { class: "input-group input-group-sm mt-2 d-none", id: "householdInviteShown" }, link, copy);
  const said = status("householdInviteStatus");
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
      link.value = inviteUrl(invite.token);
      shown.classList.remove("d-none");
      said.textContent = `Send this link to one person: it works once, until ${when.format(new Date(invite.expires_at))}. It is shown only now.`;
      reload({ keep: said.textContent, link: link.value });
    } catch (error) {
      said.textContent = `No invite: ${error.message}`;
    } finally {
      create.disabled = false;
    }
  });
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(link.value);
      said.textContent = "Link copied.";
    } catch {
      link.select();
      said.textContent = "Select the link and copy it.";
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
  leave.addEventListener("click", async () => {
    if (!window.confirm("Leave the household? You get back the services you had before joining.")) return;
    try {
      const left = await api.leaveHousehold();
      reload({ keep: left.message });
    } catch (error) {
      said.textContent = `Could not leave: ${error.message}`;
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
    said,
  );
}

function togetherSection(home, mySources) {
  const boxes = home.members.map((m) =>
    h(
      "div",
      { class: "form-check form-check-inline" },
      h("input", {
        class: "form-check-input together-member",
        type: "checkbox",
        id: `together-${m.member_id}`,
        value: m.member_id,
        checked: true,
      }),
      h("label", { class: "form-check-label small", htmlFor: `together-${m.member_id}`, text: m.name }),
    ),
  );
  const grid = h("div", {
    class: "row row-cols-2 row-cols-sm-3 row-cols-md-4 row-cols-lg-6 g-3 title-grid",
    id: "togetherGrid",
    attrs: { "aria-live": "polite" },
  });
  const said = status("togetherStatus");
  const surprise = h("button", {
    type: "button",
    class: "btn btn-outline-primary btn-sm",
    id: "togetherSurprise",
    text: "Surprise me",
    disabled: true,
  });
  let shown = [];
  async function load() {
    const chosen = [...grid.closest("section").querySelectorAll(".together-member:checked")].map((b) => b.value);
    clear(grid);
    surprise.disabled = true;
    if (!chosen.length) {
      said.textContent = "Choose who is watching.";
      return;
    }
    said.textContent = "Finding titles…";
    try {
      const found = await api.together(chosen);
      shown = found.items;
      grid.append(
        ...found.items.map((t) =>
          titleCard(
            t,
            mySources,
            t.on_shared_watchlists.length ? `On ${t.on_shared_watchlists.join(" and ")}'s watchlist` : null,
          ),
        ),
      );
      said.textContent = found.count
        ? `${found.count} titles on your household's services for everyone chosen, best rated first.`
        : "Nothing on your household's services suits everyone chosen: try fewer people, or more genres.";
      surprise.disabled = !found.count;
    } catch (error) {
      said.textContent = `Could not load: ${error.message}`;
    }
  }
  surprise.addEventListener("click", () => {
    const best = shown.slice(0, 10);
    const pick = best[Math.floor(Math.random() * best.length)];
    if (pick) openTitle(pick, mySources);
  });
  const node = section(
    "watchTogether",
    "Watch together",
    h("p", {
      class: "small mb-2",
      text: "What can we watch tonight? Titles on the household's services that suit everyone's genres.",
    }),
    h("div", { class: "mb-2", id: "togetherMembers" }, boxes),
    h("div", { class: "mb-3" }, surprise),
    said,
    grid,
  );
  node.addEventListener("change", (event) => {
    if (event.target.classList.contains("together-member")) load();
  });
  return { node, load };
}

async function memberWatchlist(container, memberId, mySources, isCurrent) {
  const back = h("a", { href: "#/main/household", class: "small", text: "← Back to your household" });
  const grid = h("div", {
    class: "row row-cols-2 row-cols-sm-3 row-cols-md-4 row-cols-lg-6 g-3 title-grid",
    id: "memberWatchlist",
  });
  const heading = h("h2", { class: "h4", text: "A shared watchlist" });
  clear(container).append(back, heading, grid);
  try {
    const list = await api.memberWatchlist(memberId);
    if (!isCurrent()) return;
    heading.textContent = `${list.member}'s watchlist`;
    grid.append(...list.items.map((t) => titleCard(t, mySources)));
    if (!list.items.length) grid.append(h("p", { class: "text-body-secondary", text: "Nothing on it yet." }));
  } catch (error) {
    grid.append(h("div", { class: "alert alert-warning", attrs: { role: "alert" }, text: error.message }));
  }
}

export async function renderHousehold(container, ctx) {
  const { isCurrent, params, keep, link } = ctx;
  const notice = h("div", { class: "alert alert-info d-none", id: "householdNotice", attrs: { role: "status" } });
  const reload = (opts = {}) => renderHousehold(container, { isCurrent, params, ...opts });
  let home;
  let prefs;
  try {
    [home, prefs] = await Promise.all([
      api.household().catch((error) => {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }),
      api.preferences(),
    ]);
  } catch (error) {
    if (!isCurrent()) return;
    clear(container).append(
      h("div", {
        class: "alert alert-danger",
        attrs: { role: "alert" },
        text: `Could not load your household: ${error.message}`,
      }),
    );
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
    section("householdMembersCard", `Members (${home.members.length})`, membersList(home)),
    together.node,
    invitesSection(home, me || {}, reload),
    meSection(me || {}, reload),
  );
  if (link) {
    const shown = container.querySelector("#householdInviteShown");
    container.querySelector("#householdInviteLink").value = link;
    shown.classList.remove("d-none");
    container.querySelector("#householdInviteStatus").textContent = keep;
    notice.classList.add("d-none");
  }
  await together.load();
}

/** The join page an invite link opens: what it invites to, and Join. */
export async function renderJoin(container, { isCurrent, params }) {
  const token = params?.get("token") || "";
  const said = status("joinStatus");
  const card = h("section", { class: "card", id: "joinHousehold" }, h("div", { class: "card-body" }, said));
  clear(container).append(h("h2", { class: "h4 mb-3", text: "Join a household" }), card);
  let invite;
  try {
    invite = await api.previewInvite(token);
  } catch (error) {
    if (!isCurrent()) return;
    said.textContent = error.message;
    said.classList.add("text-danger");
    return;
  }
  if (!isCurrent()) return;
  const name = h("input", {
    class: "form-control form-control-sm",
    id: "joinName",
    maxLength: 40,
    placeholder: "optional",
  });
  const join = h("button", {
    type: "button",
    class: "btn btn-primary btn-sm",
    id: "joinHouseholdButton",
    text: `Join ${invite.name}`,
  });
  join.addEventListener("click", async () => {
    join.disabled = true;
    try {
      await api.joinHousehold(token, name.value.trim());
      window.location.hash = "#/main/household";
    } catch (error) {
      said.textContent = `Not joined: ${error.message}`;
      join.disabled = false;
    }
  });
  card.firstChild.prepend(
    h("h3", { class: "h5", id: "joinHouseholdName", text: invite.name }),
    h("p", {
      class: "small mb-1",
      text: `Invited by ${invite.invited_by || "a member"}. Members: ${invite.members.join(", ")}.`,
    }),
    h("p", {
      class: "small mb-2",
      text: `Its services: ${invite.services.join(", ") || "none yet"}. Joining makes them yours; your genres, watchlist and alerts stay your own.`,
    }),
    h("label", { class: "form-label small mb-1", htmlFor: "joinName", text: "Your name (as the others see it)" }),
    h("div", { class: "mb-2" }, name),
    join,
  );
}

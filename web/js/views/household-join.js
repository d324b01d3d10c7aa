// The join page an invite link opens (#/household/join?token=…): what it invites to, and Join.
import { api } from "../api.js";
import { clear, h } from "../dom.js";
import { status } from "./household-parts.js";

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
      window.location.replace("#/main/household"); // the used link leaves the history
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

// The sign-in card every route shows when signed out.
import { AuthError, signIn, signInWithHostedUi, usesHostedUi } from "../auth.js";
import { h } from "../dom.js";

export function signInCard(notice) {
  const error = h("div", { class: "alert alert-danger d-none", id: "signInError", attrs: { role: "alert" } });
  const email = h("input", {
    class: "form-control",
    id: "signInEmail",
    type: "email",
    name: "email",
    autocomplete: "username",
    required: true,
  });
  const password = h("input", {
    class: "form-control",
    id: "signInPassword",
    type: "password",
    name: "password",
    autocomplete: "current-password",
    required: true,
  });
  const submit = h("button", {
    class: "btn btn-primary w-100",
    type: "submit",
    id: "signInSubmit",
    text: "Sign in",
  });

  async function onSubmit(event) {
    event.preventDefault();
    error.classList.add("d-none");
    submit.disabled = true;
    submit.textContent = "Signing in…";
    try {
      await signIn(email.value.trim(), password.value);
    } catch (failure) {
      error.textContent = failure instanceof AuthError ? failure.message : "Sign-in failed. Please try again.";
      error.classList.remove("d-none");
      password.value = "";
      password.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = "Sign in";
    }
  }

  const form = usesHostedUi()
    ? h("button", {
        class: "btn btn-primary w-100",
        type: "button",
        text: "Sign in",
        on: { click: () => signInWithHostedUi() },
      })
    : h(
        "form",
        { on: { submit: onSubmit }, attrs: { novalidate: null } },
        h("div", { class: "mb-3" }, h("label", { class: "form-label", htmlFor: "signInEmail", text: "Email" }), email),
        h(
          "div",
          { class: "mb-3" },
          h("label", { class: "form-label", htmlFor: "signInPassword", text: "Password" }),
          password,
        ),
        error,
        submit,
      );

  return h(
    "div",
    { class: "row justify-content-center" },
    h(
      "div",
      { class: "col-md-6 col-lg-5" },
      h(
        "div",
        { class: "card shadow-sm sign-in" },
        h(
          "div",
          { class: "card-body p-4" },
          h("h1", { class: "h4 card-title", text: "Sign In Required" }),
          h("p", { class: "text-body-secondary", text: "Please log in to access the UK TV Guide." }),
          notice ? h("div", { class: "alert alert-warning", attrs: { role: "status" }, text: notice }) : null,
          form,
        ),
      ),
    ),
  );
}

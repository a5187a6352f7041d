// Login with an API token: the token is the identity and its role the rights
// (noc, support, admin). An admin creates one per person:
//   npm run token -- create --name alice --role noc

import { request } from "../lib/api.js";
import { fill, h } from "../lib/dom.js";

export function mountLogin(main, { onLoggedIn }) {
  const input = h("input", { id: "login-token", name: "token", type: "password", autocomplete: "current-password", required: true, spellcheck: "false" });
  const error = h("p", { class: "message error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit" }, "Log in");
  const form = h("form", { "aria-describedby": "login-help" },
    h("label", { for: "login-token" }, "API token"),
    input,
    h("p", { id: "login-help", class: "muted" }, "Your personal FlexACS API token. An administrator creates it with ", h("code", {}, "npm run token -- create --name NAME --role noc|support|admin"), "."),
    error,
    submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    error.hidden = true;
    try {
      const { body } = await request("/ui/session", { method: "POST", body: { token: input.value }, expect401: true });
      onLoggedIn(body);
    } catch (err) {
      fill(error, err.status === 401 ? "This token is unknown or was revoked." : `Login failed: ${err.message}`);
      error.hidden = false;
      input.focus();
      input.select();
    } finally {
      submit.disabled = false;
    }
  });
  fill(main, h("section", { class: "login panel", "aria-labelledby": "login-title" }, h("h1", { id: "login-title" }, "Log in to FlexACS"), form));
  input.focus();
}

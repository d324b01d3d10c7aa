// A read-only link with a Copy button (the calendar link, a household invite): copied to the clipboard, or
// selected for the viewer to copy when the browser refuses.
import { h } from "../dom.js";

export function copyableLink({ inputId, copyId, label, said, monospace = false }) {
  const input = h("input", {
    class: `form-control form-control-sm${monospace ? " font-monospace" : ""}`,
    id: inputId,
    readOnly: true,
    attrs: { "aria-label": label },
  });
  const copy = h("button", { type: "button", class: "btn btn-outline-primary btn-sm", id: copyId, text: "Copy" });
  copy.addEventListener("click", async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      said.textContent = "Copied";
    } catch {
      said.textContent = "Select the link and copy it";
    }
  });
  return { input, copy };
}

/* The part of clipboard.js that sphinx-copybutton uses, on the browser's Clipboard API
   (cookbook_sphinx/page_weight.py loads it in place of clipboard.min.js, 9 KB):
   a click on an element that matches `selector` puts `options.text(element)` on the
   clipboard, then calls the "success" or the "error" listener with that element. */
class ClipboardJS {
  constructor(selector, options) {
    this.listeners = {};
    document.addEventListener("click", (event) => {
      const trigger = event.target.closest(selector);
      if (trigger) this.copy(trigger, options.text(trigger));
    });
  }

  on(name, listener) {
    this.listeners[name] = listener;
    return this;
  }

  copy(trigger, text) {
    const done = (name) => this.listeners[name]?.({ action: "copy", text, trigger });
    if (window.isSecureContext && navigator.clipboard) {
      navigator.clipboard.writeText(text).then(() => done("success"), () => done("error"));
      return;
    }
    // Without the API (a page served over plain HTTP from another machine): the text
    // is selected in a field out of sight and copied, as clipboard.js does.
    const field = document.createElement("textarea");
    field.value = text;
    field.readOnly = true;
    field.style.cssText = "position:fixed;top:0;opacity:0";
    document.body.append(field);
    field.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
    field.remove();
    trigger.focus();
    done(copied ? "success" : "error");
  }
}
window.ClipboardJS = ClipboardJS;

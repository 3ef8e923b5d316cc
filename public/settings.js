/* Progressive enhancement for the Settings pages. Every action also works without this file: links lead to
   server-rendered form and confirmation pages, and the server opens the result dialogs itself. */
/* global document, window, navigator, HTMLDialogElement */
(function () {
  "use strict";
  if (typeof HTMLDialogElement !== "function") return;

  function showModal(dialog) {
    if (dialog.open) dialog.close();
    dialog.showModal();
    var focusable =
      dialog.querySelector("[autofocus]") || dialog.querySelector("input:not([type=hidden]), select, button, a[href]");
    if (focusable) focusable.focus();
  }

  // Dismiss links close a dialog opened here; on a server-opened one they navigate as plain links do.
  document.addEventListener("click", function (event) {
    var dismiss = event.target.closest("[data-dismiss]");
    if (!dismiss) return;
    var dialog = dismiss.closest("dialog");
    if (dialog && !dialog.dataset.return) {
      event.preventDefault();
      dialog.close();
    }
  });

  // "Generate API Key" opens its dialog in place instead of loading the form page.
  document.querySelectorAll("[data-open]").forEach(function (opener) {
    opener.addEventListener("click", function (event) {
      var dialog = document.getElementById(opener.dataset.open);
      if (!dialog) return;
      event.preventDefault();
      showModal(dialog);
    });
  });

  // Rotate / Revoke: the confirmation dialog is filled from the link instead of loading the confirmation page.
  document.querySelectorAll("[data-confirm]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var dialog = document.getElementById(link.dataset.confirm);
      if (!dialog || dialog.dataset.return) return;
      event.preventDefault();
      var form = dialog.querySelector("form");
      form.action = link.dataset.confirmAction;
      dialog.querySelector('[data-confirm-slot="title"]').textContent = link.dataset.confirmTitle;
      dialog.querySelector('[data-confirm-slot="message"]').textContent = link.dataset.confirmMessage;
      dialog.querySelector('[data-confirm-slot="button"]').textContent = link.dataset.confirmButton;
      var fields = dialog.querySelector('[data-confirm-slot="fields"]');
      fields.replaceChildren();
      var values = JSON.parse(link.dataset.confirmFields || "{}");
      Object.keys(values).forEach(function (name) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = values[name];
        fields.appendChild(input);
      });
      showModal(dialog);
    });
  });

  // A second click while a form is being sent does nothing (the server would refuse a duplicate key anyway).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (button) {
          button.disabled = true;
        });
      }, 0);
    });
  });

  // Copy buttons exist only with JavaScript; without it the key sits in a read-only field ready to select.
  function copy(field) {
    if (navigator.clipboard) return navigator.clipboard.writeText(field.value);
    field.select();
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    if (!field) return;
    field.addEventListener("focus", function () {
      field.select();
    });
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(field).then(
        function () {
          button.textContent = "Copied";
          window.setTimeout(function () {
            button.textContent = "Copy";
          }, 2000);
        },
        function () {
          field.select();
        },
      );
    });
  });

  // The expiration date field only matters when "A chosen date" is selected.
  document.querySelectorAll("select[data-toggles]").forEach(function (select) {
    var target = document.getElementById(select.dataset.toggles);
    if (!target) return;
    var sync = function () {
      target.hidden = select.value !== select.dataset.toggleValue;
    };
    select.addEventListener("change", sync);
    sync();
  });

  // The workspace filter applies as soon as another workspace is picked.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.requestSubmit();
    });
    var button = select.form.querySelector("[data-autosubmit-button]");
    if (button) button.hidden = true;
  });

  // "All events" ticks or clears every event box, and follows them (without JavaScript the server reads it instead).
  document.querySelectorAll("[data-select-all-group]").forEach(function (group) {
    var all = group.querySelector("[data-select-all]");
    var boxes = Array.prototype.slice.call(group.querySelectorAll("input[type=checkbox]:not([data-select-all])"));
    if (!all) return;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) {
        box.checked = all.checked;
      });
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        all.checked = boxes.every(function (b) {
          return b.checked;
        });
      });
    });
  });

  // Dialogs the server opened (a result, a form with an error, a confirmation page) become real modals.
  // Closing one leaves the page it belongs to: its secret or its confirmation must not linger.
  document.querySelectorAll("dialog[data-modal][open]").forEach(function (dialog) {
    showModal(dialog);
    dialog.addEventListener("close", function () {
      // The close() inside showModal() queues a close event too; by then the dialog is open again.
      if (!dialog.open && dialog.dataset.return) window.location.assign(dialog.dataset.return);
    });
  });
})();

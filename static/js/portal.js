// Partner portal: a button with data-copy-target copies that field's value (the referral link) to the
// clipboard and says so on the button for a moment; where the Clipboard API is missing (an http page
// on a phone), the field is selected and copied the old way.
(function () {
  function copied(button) {
    var label = button.querySelector("[data-copy-label]");
    var status = document.querySelector("[data-copy-status]");
    if (!button.dataset.originalLabel && label) { button.dataset.originalLabel = label.textContent; }
    if (label) { label.textContent = button.dataset.copiedLabel; }
    if (status) { status.textContent = button.dataset.copiedLabel; }
    button.dataset.copied = "true";
    button.classList.add("btn-success");
    clearTimeout(button._copiedTimer);
    button._copiedTimer = setTimeout(function () {
      if (label) { label.textContent = button.dataset.originalLabel; }
      button.classList.remove("btn-success");
      delete button.dataset.copied;
    }, 4000);
  }

  function fallbackCopy(field) {
    field.focus();
    field.select();
    field.setSelectionRange(0, field.value.length);
    try { return document.execCommand("copy"); } catch (error) { return false; }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy-target]");
    if (!button) { return; }
    var field = document.querySelector(button.dataset.copyTarget);
    if (!field) { return; }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () { copied(button); }, function () {
        if (fallbackCopy(field)) { copied(button); }
      });
    } else if (fallbackCopy(field)) {
      copied(button);
    }
  });
})();

// Template editor: a variable chip inserts `{name}` where the cursor was in the subject or the body,
// then tells the live preview to refresh.
(function () {
  var target = null;
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-variable-target]")) { target = event.target; }
  });
  document.addEventListener("click", function (event) {
    var chip = event.target.closest && event.target.closest("[data-insert-variable]");
    if (!chip) { return; }
    var field = target || document.querySelector("textarea[data-variable-target]");
    if (!field || field.disabled) { return; }
    var text = "{" + chip.dataset.insertVariable + "}";
    var start = field.selectionStart != null ? field.selectionStart : field.value.length;
    var end = field.selectionEnd != null ? field.selectionEnd : start;
    field.value = field.value.slice(0, start) + text + field.value.slice(end);
    field.focus();
    field.setSelectionRange(start + text.length, start + text.length);
    field.dispatchEvent(new Event("input", {bubbles: true}));
  });
})();

// Dealix: show server messages as toasts, and after every htmx swap too.
(function () {
  function showToasts(root) {
    (root || document).querySelectorAll(".toast:not(.showing):not(.show)").forEach(function (el) {
      bootstrap.Toast.getOrCreateInstance(el).show();
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    showToasts(document);
    // On a phone the section tabs scroll sideways: bring the current one into view.
    var current = document.querySelector("[data-testid=crm-subnav] .active");
    if (current) { current.scrollIntoView({block: "nearest", inline: "center"}); }
  });
  document.body.addEventListener("htmx:afterSwap", function (event) { showToasts(event.target); });
  // A failed htmx request shows a toast instead of failing silently.
  document.body.addEventListener("htmx:responseError", function (event) {
    var container = document.getElementById("toasts");
    if (!container) { return; }
    var toast = document.createElement("div");
    toast.className = "toast text-bg-danger border-0";
    toast.setAttribute("role", "alert");
    var body = document.createElement("div");
    body.className = "toast-body";
    body.textContent = document.documentElement.lang === "ar"
      ? "تعذّر إكمال الطلب. حاول مرة أخرى." : "The request could not be completed. Please try again.";
    toast.appendChild(body);
    container.appendChild(toast);
    bootstrap.Toast.getOrCreateInstance(toast).show();
  });

  // Pipeline board: drag a deal card onto another column. Losing a deal asks why first.
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest("[data-deal]");
    if (!card) { return; }
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.deal);
  });
  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    document.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
    dragged = null;
  });
  document.addEventListener("dragover", function (event) {
    var column = event.target.closest && event.target.closest("[data-stage-drop]");
    if (!column || !dragged) { return; }
    event.preventDefault();
    column.classList.add("drop-target");
  });
  document.addEventListener("dragleave", function (event) {
    var column = event.target.closest && event.target.closest("[data-stage-drop]");
    if (column && !column.contains(event.relatedTarget)) { column.classList.remove("drop-target"); }
  });
  document.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest("[data-stage-drop]");
    if (!column || !dragged) { return; }
    event.preventDefault();
    var stage = column.dataset.stageDrop;
    var url = dragged.dataset.moveUrl;
    if (dragged.closest("[data-stage-drop]") === column) { return; }
    var owner = document.getElementById("owner-filter");
    if (stage === "closed_lost") { askWhyLost(url); return; }
    htmx.ajax("POST", url, {target: "#pipeline-board", source: dragged,
                            values: {stage: stage, owner: owner ? owner.value : ""}});
  });
  function askWhyLost(url) {
    var dialog = document.getElementById("lost-dialog");
    var form = document.getElementById("lost-form");
    form.setAttribute("hx-post", url);
    form.setAttribute("action", url);
    htmx.process(form);
    dialog.showModal();
  }
  document.addEventListener("click", function (event) {
    if (event.target.matches("[data-close-dialog]")) { event.target.closest("dialog").close(); }
    var lost = event.target.closest && event.target.closest("[data-lost-url]");
    if (lost) { askWhyLost(lost.dataset.lostUrl); }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var dialog = document.getElementById("lost-dialog");
    if (dialog && dialog.open && event.detail.elt && event.detail.elt.id === "lost-form") {
      dialog.close();
      event.detail.elt.reset();
    }
  });
})();

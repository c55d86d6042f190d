// Dealix: show server messages as toasts, and after every htmx swap too.
(function () {
  function showToasts(root) {
    (root || document).querySelectorAll(".toast:not(.showing):not(.show)").forEach(function (el) {
      bootstrap.Toast.getOrCreateInstance(el).show();
    });
  }
  document.addEventListener("DOMContentLoaded", function () { showToasts(document); });
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
})();

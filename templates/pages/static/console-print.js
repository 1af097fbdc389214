// A button with data-print opens the browser's print dialog (print or save as PDF).
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-print]") : null;
  if (button) { window.print(); }
});

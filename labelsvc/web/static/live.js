// Live regions that refresh themselves ("every 3s") pause while the person works in them.
// This used to be an htmx trigger filter, which htmx runs through eval; the pages'
// Content-Security-Policy allows no eval, so the condition lives here instead.
document.addEventListener("htmx:beforeRequest", function (event) {
  var region = event.detail.elt;
  if (region && region.hasAttribute("data-pause-while-focused") &&
      region.contains(document.activeElement) && document.activeElement !== region) {
    event.preventDefault();
  }
});

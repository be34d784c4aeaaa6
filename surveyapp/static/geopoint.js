/* "Use my location" beside a location question's latitude and longitude: shown only
   where the browser can tell the location; without it (or without JavaScript) the
   respondent types the numbers. The texts come from the button's data attributes,
   in the page's language. */
(function () {
  "use strict";
  if (!("geolocation" in navigator)) return;
  var buttons = document.querySelectorAll("button[data-geopoint]");
  Array.prototype.forEach.call(buttons, function (button) {
    var box = button.parentNode;
    var status = box.querySelector(".geo-status");
    var id = button.getAttribute("data-geopoint");
    box.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.getAttribute("data-waiting");
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          [["lat", position.coords.latitude], ["lon", position.coords.longitude]].forEach(
            function (part) {
              var input = document.getElementById(id + "-" + part[0]);
              input.value = String(Number(part[1].toFixed(6)));
              input.dispatchEvent(new Event("input", { bubbles: true }));
              input.dispatchEvent(new Event("change", { bubbles: true }));
            }
          );
          status.textContent = button.getAttribute("data-done");
          button.disabled = false;
        },
        function () {
          status.textContent = button.getAttribute("data-failed");
          button.disabled = false;
        },
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
      );
    });
  });
})();

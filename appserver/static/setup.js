// The setup page is rendered by this script with plain DOM and fetch (see issue 6).
(function () {
  "use strict";
  var root = document.getElementById("te-setup");
  if (root) {
    root.textContent = "ThousandEyes setup";
  }
})();

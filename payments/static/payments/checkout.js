// Opens Razorpay Checkout.js for the order on this page and posts its result to our callback.
// The options come from a json_script block; CSP forbids inline scripts.
(function () {
  "use strict";

  function start() {
    var optionsNode = document.getElementById("razorpay-options");
    var form = document.getElementById("checkout-result");
    var button = document.getElementById("pay-button");
    if (!optionsNode || !form || !button) return;
    var options = JSON.parse(optionsNode.textContent);

    function submit(fields) {
      Object.keys(fields).forEach(function (name) {
        form.elements[name].value = fields[name] || "";
      });
      form.submit();
    }

    options.handler = function (response) {
      submit({
        outcome: "success",
        razorpay_payment_id: response.razorpay_payment_id,
        razorpay_order_id: response.razorpay_order_id,
        razorpay_signature: response.razorpay_signature,
      });
    };
    options.modal = {
      ondismiss: function () {
        button.disabled = false;
        button.focus();
      },
    };

    button.addEventListener("click", function () {
      if (typeof window.Razorpay !== "function") {
        document.getElementById("checkout-unavailable").hidden = false;
        return;
      }
      button.disabled = true;
      var checkout = new window.Razorpay(options);
      checkout.on("payment.failed", function (response) {
        var metadata = (response.error && response.error.metadata) || {};
        submit({ outcome: "failed", razorpay_payment_id: metadata.payment_id, razorpay_order_id: metadata.order_id });
      });
      checkout.open();
    });
    button.disabled = false;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/* Starts Swagger UI on /docs. A file, not an inline script, so the page's CSP can stay `script-src 'self'`. */
/* global window, SwaggerUIBundle */
window.addEventListener("DOMContentLoaded", function () {
  "use strict";
  window.ui = SwaggerUIBundle({
    url: "/v1/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    // The default validator badge loads an image from validator.swagger.io: no third-party requests.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});

/* Starts Swagger UI on the API documentation page (templates/api/docs.html), in place of the
 * inline start-up script of APIFlask's page, which the Content-Security-Policy refuses. The
 * document's address and the layout come from the element's data- attributes.
 */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIStandalonePreset],
    plugins: [window.SwaggerUIBundle.plugins.DownloadUrl],
    layout: root.getAttribute("data-layout") || "BaseLayout"
  });
})();

// Loaded after require.js and before embed-amd.js (see _config.yml, nb_ipywidgets_js).
// The widget bundle finds its fonts relative to its AMD module path; point that path at
// the folder this script is served from (the site's own _static/), so nothing is
// requested from a CDN or from a folder that does not exist.
(function () {
  var src = document.currentScript && document.currentScript.src;
  if (!src || !window.require || !window.require.config) return;
  var base = src.slice(0, src.lastIndexOf("/"));
  window.require.config({
    paths: { "@jupyter-widgets/html-manager/dist": base, "@jupyter-widgets": base },
  });
})();

// Loaded after require.js and before embed-amd.js (see _config.yml, nb_ipywidgets_js).
// The live widgets are anywidget models; the embedder asks require.js for the module
// "anywidget". Map it to the copy the book serves itself (storeops.widgets.sphinx_live
// copies it from the pinned anywidget package), so the embedder never falls back to a CDN.
(function () {
  var src = document.currentScript && document.currentScript.src;
  if (!src || !window.require || !window.require.config) return;
  var base = src.slice(0, src.lastIndexOf("/"));
  window.require.config({ paths: { anywidget: base + "/anywidget/index" } });
})();

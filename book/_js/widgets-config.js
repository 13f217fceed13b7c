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

// The widget embedder typesets HTML/Label widgets with the MathJax 2 call
// MathJax.Hub.Queue(...). The book uses MathJax 3, which has no Hub, so every such widget
// threw "Cannot read properties of undefined (reading 'Queue')". Give whatever object
// ends up as window.MathJax (the config object, then MathJax 3 itself) a Hub.Queue that
// asks MathJax 3 to typeset.
(function () {
  function withHub(mj) {
    if (mj && typeof mj === "object" && !mj.Hub) {
      mj.Hub = {
        Queue: function () {
          if (window.MathJax && window.MathJax.typesetPromise) {
            window.MathJax.typesetPromise().catch(function () {});
          }
        },
      };
    }
    return mj;
  }
  var current = withHub(window.MathJax || {});
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    enumerable: true,
    get: function () {
      return current;
    },
    set: function (value) {
      current = withHub(value);
    },
  });
})();

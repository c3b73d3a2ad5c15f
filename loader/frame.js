// frame.html's own script: one card from the query string, and its height
// told to the parent page so the iframe can fit it. Every value from the
// query is checked here or by the loader (it is a data attribute like any
// other); the bundle must be one published with this widget.

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const PASSED_ON = ["comparison", "endpoint", "theme", "locale", "sections", "heading-level", "accent", "layout"];

const query = new URLSearchParams(location.search);
const bundle = query.get("bundle") || "";
const card = document.createElement("div");
if (SLUG.test(bundle)) {
  card.setAttribute("data-verdict", "");
  card.setAttribute("data-bundle", new URL(`bundles/${bundle}.json`, location.href).href);
  card.setAttribute("data-lazy", "false");
  for (const name of PASSED_ON) {
    const value = query.get(name);
    if (value !== null) card.setAttribute("data-" + name, value);
  }
} else {
  console.error("Verdict: frame.html needs ?bundle=NAME, the name of a bundle published with this widget " +
    "(bundles/NAME.json), and usually &comparison=ID.");
  card.textContent = "This comparison can't be shown: the embed link names no bundle.";
}
document.currentScript.after(card);

// The parent page learns our height, and only the page that framed us: its
// origin, from the browser (ancestorOrigins) or the referrer.
function parentOrigin() {
  if (location.ancestorOrigins && location.ancestorOrigins.length) return location.ancestorOrigins[0];
  try {
    return new URL(document.referrer).origin;
  } catch {
    return null;
  }
}

const target = window.parent !== window && parentOrigin();
if (target && target !== "null") {
  let told = 0;
  new ResizeObserver(() => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === told) return;
    told = height;
    window.parent.postMessage({ type: "verdict:frame-size", height }, target);
  }).observe(document.documentElement);
}

// The frame pages' own script (frame.html, and the build's frame/<bundle>/<id>.html pages):
// one card from the query string or the page's own data attributes, and its height told to
// the parent page so the iframe can fit it. Every value from the query is checked here or by
// the loader (it is a data attribute like any other); the bundle must be one published with
// this widget.

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const PASSED_ON = ["comparison", "endpoint", "theme", "locale", "sections", "heading-level", "accent", "layout"];

// A frame page of one comparison names its bundle and comparison on <html>; the query may add
// (or, for frame.html, give) the rest.
const query = new URLSearchParams(location.search);
const page = document.documentElement.dataset;
const given = (name) => query.get(name) ?? page[name.replace(/-(\w)/g, (_, c) => c.toUpperCase())] ?? null;
const bundle = given("bundle") || "";
const card = document.createElement("div");
if (SLUG.test(bundle)) {
  card.setAttribute("data-verdict", "");
  card.setAttribute("data-bundle", new URL(`bundles/${bundle}.json`, document.baseURI).href);
  card.setAttribute("data-lazy", "false");
  for (const name of PASSED_ON) {
    const value = given(name);
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

// WordPress embeds a discovered oEmbed in a sandboxed iframe and resizes it only on its own
// messages, which carry the secret it put in our URL (#?secret=…): wp-embed's protocol.
const secret = (/[#&?]secret=([A-Za-z0-9]+)/.exec(location.hash) || [])[1];

// In a sandbox (an opaque origin: WordPress's embeds) nothing is kept on the reader's device and the
// card's own links may not open a window: offer the card on its own page, where both work. WordPress
// follows a link to our host only through its protocol, for a frame the reader has just used.
if (self.origin === "null" && SLUG.test(bundle)) {
  const own = location.href.split("#")[0];
  const note = document.createElement("p");
  note.style.cssText = "margin: 4px 0 0; font: 13px/1.4 system-ui, sans-serif; text-align: end";
  const link = document.createElement("a");
  link.href = own;
  link.target = "_blank";
  link.rel = "noopener";
  link.textContent = "Open the full card \u2197";
  if (secret) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      window.parent.postMessage({ message: "link", value: own, secret }, "*");
    });
  }
  note.append(link);
  card.after(note);
}

const framed = window.parent !== window;
const target = framed && parentOrigin();
if (framed && (secret || (target && target !== "null"))) {
  let told = 0;
  const height = () => Math.ceil(document.documentElement.getBoundingClientRect().height);
  const tell = (value) => {
    if (target && target !== "null") window.parent.postMessage({ type: "verdict:frame-size", height: value }, target);
    // wp-embed's message: only the height, so any target may read it (WordPress's own embeds send it so).
    if (secret) window.parent.postMessage({ message: "height", value, secret }, target && target !== "null" ? target : "*");
  };
  new ResizeObserver(() => {
    const now = height();
    if (now === told) return;
    told = now;
    tell(now);
  }).observe(document.documentElement);
  // wp-embed says "ready" once its page has loaded: our first height may have come before it listened.
  window.addEventListener("message", ({ data, source }) => {
    if (source === window.parent && data && data.message === "ready" && data.secret === secret) tell(height());
  });
}

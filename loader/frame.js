// The frame pages' own script (frame.html, and the build's frame/<bundle>/<id>.html pages):
// one card from the query string or the page's own data attributes, and its height told to
// the parent page so the iframe can fit it. Every value from the query is checked here or by
// the loader (it is a data attribute like any other); the bundle must be one published with
// this widget.

import { FRAME_ATTRIBUTES, isSlug } from "./rules.js";

// WordPress embeds a discovered oEmbed in a sandboxed iframe and resizes it only on its own
// messages, which carry the secret it put in our URL (#?secret=…): wp-embed's protocol.
const secret = (/[#&?]secret=([A-Za-z0-9]+)/.exec(location.hash) || [])[1];

// wp-embed never makes an embed taller than 1000 px (the full card is two to three times that in
// WordPress's 500 px column): there the card drops sections, in this order, until it fits, and the
// rest is one click away ("Open the full card"), unless the pasted link asks for its own sections.
const WORDPRESS_MAX_HEIGHT = 1000;
const WORDPRESS_SECTIONS = ["figures,vote", "vote"];
const WORDPRESS_POLL_MS = 250;

// A frame page of one comparison names its bundle and comparison on <html>; the query may add
// (or, for frame.html, give) the rest.
const query = new URLSearchParams(location.search);
const page = document.documentElement.dataset;
const given = (name) => query.get(name) ?? page[name.replace(/-(\w)/g, (_, c) => c.toUpperCase())] ?? null;
const bundle = given("bundle") || "";
const card = document.createElement("div");
if (isSlug(bundle)) {
  card.setAttribute("data-verdict", "");
  card.setAttribute("data-bundle", new URL(`bundles/${bundle}.json`, document.baseURI).href);
  card.setAttribute("data-lazy", "false");
  for (const name of FRAME_ATTRIBUTES) {
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

// In a sandbox (an opaque origin: WordPress's embeds) nothing is kept on the reader's device and the
// card's own links may not open a window: offer the card on its own page, where both work. WordPress
// follows a link to our host only through its protocol, for a frame the reader has just used.
if (self.origin === "null" && isSlug(bundle)) {
  const own = location.href.split("#")[0];
  const note = document.createElement("p");
  // In the space above the card, so it costs no height.
  note.style.cssText = "position: absolute; top: 6px; inset-inline-end: 10px; margin: 0; font: 12px/1.4 system-ui, sans-serif";
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
  const fitting = secret && given("sections") === null ? [...WORDPRESS_SECTIONS] : [];
  let dropped = 0; // the height when sections were last dropped: drop more only once the card has re-rendered
  const measure = () => {
    const now = height();
    if (now > WORDPRESS_MAX_HEIGHT && fitting.length && now !== dropped) {
      dropped = now;
      card.setAttribute("data-sections", fitting.shift());
    }
    if (now === told) return;
    told = now;
    tell(now);
  };
  new ResizeObserver(measure).observe(document.documentElement);
  // WordPress hides the iframe (clipped to nothing) until it first hears from it, and Chromium
  // holds back a hidden frame's resize observations: there, measure on a timer too.
  if (secret) setInterval(measure, WORDPRESS_POLL_MS);
  // wp-embed says "ready" once its page has loaded: our first height may have come before it listened.
  window.addEventListener("message", ({ data, source }) => {
    if (source === window.parent && data && data.message === "ready" && data.secret === secret) tell(height());
  });
}

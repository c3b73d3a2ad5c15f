// A Verdict card in the inline form: plugins/remark-verdict.mjs renders it at site build time and passes
// it as `html` (and the loader's URL as `loader`), so readers' JavaScript never carries the bundle's kit.
// In MDX:
//   <Verdict bundle="comparisons" comparison="…" theme="dark" />
// (the card's data attributes without "data-"). On a page load, the browser's parser builds the card's
// declarative shadow root from the server's HTML, and hydration leaves it alone. After a client-side
// navigation there is no parser at work (innerHTML builds no shadow root and runs no script): the card
// is built with setHTMLUnsafe before the page paints, and the loader added when the page has none.
import React, { useLayoutEffect, useRef } from "react";

export default function Verdict({ html, loader }) {
  const box = useRef(null);
  useLayoutEffect(() => {
    if (box.current.querySelector("[data-verdict]")?.shadowRoot) return;
    box.current.setHTMLUnsafe(html);
    if (!window.Verdict && !document.querySelector("script[data-verdict-loader]")) {
      const script = document.createElement("script");
      script.src = loader;
      script.async = true;
      script.dataset.verdictLoader = "";
      document.body.append(script);
    }
  }, [html, loader]);
  const server = typeof window === "undefined";
  return (
    <div ref={box} className="verdict-embed" suppressHydrationWarning
      dangerouslySetInnerHTML={{ __html: server ? html : "" }} />
  );
}

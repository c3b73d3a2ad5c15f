// A Verdict card in the inline form: plugins/remark-verdict.mjs renders it at site build time and passes
// it as `html`, so readers' JavaScript never carries the bundle's kit. In MDX:
//   <Verdict bundle="comparisons" comparison="…" theme="dark" />
// (the card's data attributes without "data-"). Hydration leaves the server's HTML, and with it the
// card's declarative shadow root, in place.
import React from "react";

export default function Verdict({ html }) {
  return <div className="verdict-embed" dangerouslySetInnerHTML={{ __html: html }} />;
}

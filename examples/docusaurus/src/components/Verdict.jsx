// A Verdict card in the inline form: plugins/remark-verdict.mjs renders it at site build time and passes
// it as `html`, so readers' JavaScript never carries the bundle's kit. In MDX:
//   <Verdict bundle="comparisons" comparison="…" theme="dark" />
// (the card's data attributes without "data-"). Hydration leaves the server's HTML, and with it the
// card's declarative shadow root, in place.
import React from "react";
import Head from "@docusaurus/Head";
import useDocusaurusContext from "@docusaurus/useDocusaurusContext";

export default function Verdict({ html }) {
  const { widget } = useDocusaurusContext().siteConfig.customFields.verdict;
  return (
    <>
      <Head><script src={`${widget.endsWith("/") ? widget : widget + "/"}embed.js`} async /></Head>
      <div className="verdict-embed" dangerouslySetInnerHTML={{ __html: html }} />
    </>
  );
}

// A Verdict card in the inline form, from the bundle's inline kit, verdict/<bundle>.json (a copy of the
// widget host's inline/<bundle>.json), read by lib/verdict-inline.mjs (the widget host's
// inline/verdict-inline.mjs). Props are the card's data attributes without "data-":
//   <Verdict bundle="comparisons" comparison="…" theme="dark" />
// A bad value throws while the build renders the page, failing the build. The page's HTML holds the
// card's declarative shadow root; hydration leaves the server's HTML in place.
import React from "react";
import Head from "@docusaurus/Head";
import useDocusaurusContext from "@docusaurus/useDocusaurusContext";
import { verdictCard } from "@site/lib/verdict-inline.mjs";

const kits = {};
const found = require.context("@site/verdict", false, /\.json$/);
for (const key of found.keys()) kits[key.replace(/^\.\/(.*)\.json$/, "$1")] = found(key);

export default function Verdict(props) {
  const { siteConfig } = useDocusaurusContext();
  const site = siteConfig.customFields.verdict;
  if (!kits[props.bundle]) {
    throw new Error(`verdict: no inline kit for bundle "${props.bundle}": copy the widget host's inline/${props.bundle}.json to verdict/`);
  }
  const html = verdictCard(kits[props.bundle], props, site);
  const widget = site.widget.endsWith("/") ? site.widget : site.widget + "/";
  return (
    <>
      <Head><script src={`${widget}embed.js`} async /></Head>
      <div className="verdict-embed" dangerouslySetInnerHTML={{ __html: html }} />
    </>
  );
}

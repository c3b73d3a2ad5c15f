// Renders each <Verdict … /> of an MDX page at site build time: the card's inline form, from the bundle's
// inline kit (verdict/<bundle>.json, a copy of the widget host's inline/<bundle>.json), goes into the page
// as the element's `html` prop, with the loader's script tag after the page's first card. The page then
// carries only its own card's HTML, never the kit (every locale and heading level), and a bad attribute
// fails the build naming the file and line. (The script tag is not put in <Head>: the head manager
// inserts it again when the page hydrates, and the loader would take the copy for a second embed.)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { verdictCard, verdictScript } from "../lib/verdict-inline.mjs";

export default function remarkVerdict(site) {
  const kits = new Map();
  const kit = (bundle) => {
    if (!kits.has(bundle)) {
      try {
        kits.set(bundle, JSON.parse(readFileSync(join(process.cwd(), "verdict", `${bundle}.json`), "utf8")));
      } catch (error) {
        throw new Error(`verdict: no inline kit for bundle "${bundle}": copy the widget host's inline/${bundle}.json to verdict/`, { cause: error });
      }
    }
    return kits.get(bundle);
  };
  return (tree, file) => {
    let cards = 0;
    const visit = (node) => {
      if ((node.type === "mdxJsxFlowElement" || node.type === "mdxJsxTextElement") && node.name === "Verdict") {
        const attributes = {};
        for (const attribute of node.attributes) {
          if (attribute.type !== "mdxJsxAttribute" || typeof attribute.value !== "string") {
            throw new Error(`${file.path}:${node.position?.start.line}: verdict: give <Verdict> plain string attributes`);
          }
          attributes[attribute.name] = attribute.value;
        }
        try {
          const html = verdictCard(kit(attributes.bundle), attributes, site) + (cards++ ? "" : verdictScript(site));
          node.attributes = [
            { type: "mdxJsxAttribute", name: "html", value: html },
            { type: "mdxJsxAttribute", name: "loader", value: verdictScript(site).match(/src="([^"]*)"/)[1] },
          ];
        } catch (error) {
          throw new Error(`${file.path}:${node.position?.start.line}: ${error.message}`, { cause: error });
        }
      }
      for (const child of node.children || []) visit(child);
    };
    visit(tree);
  };
}

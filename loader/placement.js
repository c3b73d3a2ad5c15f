// Where a card goes on the page. Shared by the first script (embed.js), which
// places the script tag's own card at once, and by nothing else: the loader
// proper only finds [data-verdict] elements.

// The host element for a script tag's card: right after the tag, when the tag
// names a comparison or the page has no placeholders (or `always`, for a
// second copy of the script, whose attributes move onto the host).
export function cardHostFor(scriptTag, always) {
  const wanted = always || scriptTag.hasAttribute("data-comparison") ||
    !document.querySelector("[data-verdict], iframe[data-verdict-frame]");
  if (!wanted) return null;
  const host = document.createElement("div");
  if (always) for (const { name, value } of scriptTag.attributes) if (name.startsWith("data-")) host.setAttribute(name, value);
  host.setAttribute("data-verdict", "");
  scriptTag.after(host);
  return host;
}

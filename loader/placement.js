// Where a card goes on the page. Shared by the first script (embed.js), which
// places the script tag's own card at once, and by nothing else: the loader
// proper only finds [data-verdict] elements.

import { CARD_HOSTS } from "./hosts.js";

// The host element for a script tag's card: right after the tag, when the tag
// names a comparison, carries the placeholder's marker (data-verdict) or names
// a bundle on a page without placeholders (or `always`, for a second copy of
// the script, whose attributes move onto the host). A bare tag only loads the
// loader: a framework draws its <verdict-card> elements after it has run.
export function cardHostFor(scriptTag, always) {
  const has = (name) => scriptTag.hasAttribute(name);
  const wanted = always || has("data-comparison") || has("data-verdict") || (has("data-bundle") &&
    !document.querySelector(`${CARD_HOSTS}, iframe[data-verdict-frame]`));
  if (!wanted) return null;
  const host = document.createElement("div");
  if (always) for (const { name, value } of scriptTag.attributes) if (name.startsWith("data-")) host.setAttribute(name, value);
  host.setAttribute("data-verdict", "");
  scriptTag.after(host);
  return host;
}

// The React page's component, shared by the browser (react_app.js) and the server render (react_server.js).
// `test`: {endpoint, initial: {shown, bundle, comparison, theme}, inline?}; `inline` is the card's inline
// form (a declarative shadow root), rendered inside the element by the server for a zero-shift first paint.
import { createElement, useState } from "react";
import { flushSync } from "react-dom";

function Post({ settings, test, inline }) {
  const { shown, bundle, comparison, theme } = settings;
  const card = createElement("verdict-card", {
    id: "card",
    bundle,
    comparison,
    endpoint: test.endpoint,
    theme,
    lazy: "false",
    ...(inline ? { dangerouslySetInnerHTML: { __html: inline } } : {}),
  });
  return createElement("article", null, createElement("h1", null, "A post in React"),
    createElement("p", null, "Before the card."), shown ? card : null, createElement("p", { id: "after" }, "After the card."));
}

// The inline form is for the server's HTML and its hydration only: an element the browser mounts later
// gets its card from the loader (HTML set by script holds no declarative shadow root).
export function App({ test }) {
  const [settings, setSettings] = useState(test.initial);
  const [inline, setInline] = useState(test.inline || null);
  if (typeof window !== "undefined") {
    window.app = {
      set: (change) => flushSync(() => {
        if (change.shown === false) setInline(null);
        setSettings((now) => ({ ...now, ...change }));
      }),
    };
  }
  return createElement(Post, { settings, test, inline });
}

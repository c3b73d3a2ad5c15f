// A React 19 page drawing <verdict-card> (built by esbuild from the npm packages for the tests).
// window.app.set({shown, bundle, comparison, theme}) re-renders it as a reader's clicks would.
import { createElement, useState } from "react";
import { createRoot } from "react-dom/client";
import { flushSync } from "react-dom";

function Post({ settings }) {
  const { shown, bundle, comparison, theme } = settings;
  const card = createElement("verdict-card", {
    id: "card",
    bundle,
    comparison,
    endpoint: window.VERDICT_TEST.endpoint,
    theme,
    lazy: "false",
  });
  return createElement("article", null, createElement("h1", null, "A post in React"),
    createElement("p", null, "Before the card."), shown ? card : null, createElement("p", { id: "after" }, "After the card."));
}

function App() {
  const [settings, setSettings] = useState(window.VERDICT_TEST.initial);
  window.app = { set: (change) => flushSync(() => setSettings((now) => ({ ...now, ...change }))) };
  return createElement(Post, { settings });
}

createRoot(document.getElementById("root")).render(createElement(App));

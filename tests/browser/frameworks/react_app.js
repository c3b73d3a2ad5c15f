// A React 19 page drawing <verdict-card> (built by esbuild from the npm packages for the tests): rendered
// in the browser, or hydrated over the server's HTML (react_server.js) when the page says so.
// window.app.set({shown, bundle, comparison, theme}) re-renders it as a reader's clicks would.
import { createElement } from "react";
import { createRoot, hydrateRoot } from "react-dom/client";
import { App } from "./react_post.js";

const test = window.VERDICT_TEST;
const root = document.getElementById("root");
if (test.inline) hydrateRoot(root, createElement(App, { test }));
else createRoot(root).render(createElement(App, { test }));

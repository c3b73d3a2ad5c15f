// The React page's server render (Node.js): the settings as JSON on standard input, the HTML on standard output.
import { readFileSync } from "node:fs";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { App } from "./react_post.js";

const test = JSON.parse(readFileSync(0, "utf8"));
process.stdout.write(renderToString(createElement(App, { test })));

// The "Verdict card" block in the editor: the comparison's id and the card's settings in the
// sidebar; the post shows the inline card, printed by the plugin (a dynamic block: nothing saved
// but its attributes). Plain script, no build step: WordPress provides wp.* on the page.
(function (wp) {
  const el = wp.element.createElement;
  const { InspectorControls, useBlockProps } = wp.blockEditor;
  const { PanelBody, Placeholder, TextControl } = wp.components;
  const FIELDS = [
    ["comparison", "Comparison id"], ["bundle", "Bundle name"], ["endpoint", "Vote endpoint (default: the plugin's)"],
    ["theme", "Theme (light, dark or auto)"], ["locale", "Locale"], ["sections", "Sections"],
    ["heading-level", "Heading level"], ["accent", "Accent colour"], ["layout", "Layout"],
  ];
  wp.blocks.registerBlockType("verdict/card", {
    edit: ({ attributes, setAttributes }) => {
      const fields = FIELDS.map(([name, label]) => el(TextControl, {
        key: name, label, value: attributes[name] || "", onChange: (value) => setAttributes({ [name]: value }),
      }));
      return el("div", useBlockProps(),
        el(InspectorControls, null, el(PanelBody, { title: "Verdict card" }, fields)),
        el(Placeholder, { label: "Verdict card", instructions: attributes.comparison
          ? `Shows the comparison “${attributes.comparison}” in the post.`
          : "Give the comparison's id in the block's settings." }, fields[0]));
    },
    save: () => null,
  });
})(window.wp);

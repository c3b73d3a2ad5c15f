<?php
/**
 * The engine's rules the plugin checks a card's attributes by, read from rules.json, which the
 * widget's build writes from the engine (widget/verdict/rules.py): the plugin writes none of its own.
 */

if (!defined('ABSPATH')) {
    exit;
}

/** The engine's rules (slug, sections, themes, layouts, heading levels, locales…), read once. */
function verdict_rules() {
    static $rules = null;
    if ($rules === null) {
        $rules = json_decode((string) file_get_contents(__DIR__ . '/rules.json'), true);
    }
    return $rules;
}

/** Whether $value is an id as the engine takes them (a bundle's or a comparison's). */
function verdict_is_slug($value) {
    $pattern = '~^(?:' . str_replace('~', '\~', verdict_rules()['slug']) . ')$~D';
    return is_string($value) && preg_match($pattern, $value) === 1;
}

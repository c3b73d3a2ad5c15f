<?php
/**
 * Plugin Name: Verdict
 * Description: Verdict comparison cards in posts. The [verdict] shortcode and the "Verdict card" block print the inline card (no layout shift, readable without JavaScript) and load the widget, which makes it live on your site's own origin: tallies, votes remembered on the reader's device.
 * Version: 0.1.0
 * Requires at least: 6.1
 * Requires PHP: 7.4
 * License: MIT
 *
 * Settings → Verdict takes where the widget's dist/ is served and the vote endpoint.
 * The inline card is fetched from the widget host (inline/<bundle>/<id>.html, written
 * by the build) and kept for an hour; the page shows it as it is, like any inline card.
 */

if (!defined('ABSPATH')) {
    exit;
}

require_once __DIR__ . '/rules.php';

// Data attributes a card takes besides its bundle, comparison and endpoint (docs/publishers/attributes.md).
const VERDICT_PASSED_ON = ['theme', 'locale', 'sections', 'heading-level', 'accent', 'layout'];
const VERDICT_CACHE_SECONDS = HOUR_IN_SECONDS;

function verdict_defaults() {
    $defaults = ['bundle' => 'comparisons', 'comparison' => '', 'endpoint' => ''];
    foreach (VERDICT_PASSED_ON as $name) {
        $defaults[$name] = '';
    }
    return $defaults;
}

/** Where dist/ is served, ending in "/", or '' when not set. */
function verdict_widget_url() {
    $url = trim((string) get_option('verdict_widget_url', ''));
    return $url === '' ? '' : trailingslashit(esc_url_raw($url));
}

/** The build's inline card for this comparison (with or without its vote control), or '' if unavailable. */
function verdict_inline_card($widget, $bundle, $comparison, $voting) {
    $url = $widget . 'inline/' . $bundle . '/' . $comparison . ($voting ? '' : '.static') . '.html';
    $key = 'verdict_' . md5($url);
    $cached = get_transient($key);
    if (is_string($cached)) {
        return $cached;
    }
    $answer = wp_safe_remote_get($url, ['timeout' => 5]);
    if (is_wp_error($answer) || wp_remote_retrieve_response_code($answer) !== 200) {
        return '';
    }
    $html = wp_remote_retrieve_body($answer);
    set_transient($key, $html, VERDICT_CACHE_SECONDS);
    return $html;
}

/** The card: its placeholder with the inline card inside, and the widget's script on the page. */
function verdict_card($attributes) {
    $attributes = shortcode_atts(verdict_defaults(), (array) $attributes, 'verdict');
    $widget = verdict_widget_url();
    if ($widget === '') {
        return '<!-- Verdict: set the widget URL in Settings → Verdict -->';
    }
    $bundle = (string) $attributes['bundle'];
    $comparison = (string) $attributes['comparison'];
    if (!verdict_is_slug($bundle) || ($comparison !== '' && !verdict_is_slug($comparison))) {
        return '<!-- Verdict: bundle and comparison must be ids such as heygen-vs-mistral -->';
    }
    $endpoint = $attributes['endpoint'] !== '' ? $attributes['endpoint'] : get_option('verdict_endpoint', '');
    $data = [
        'data-bundle' => $widget . 'bundles/' . $bundle . '.json',
        'data-comparison' => $comparison,
        'data-endpoint' => $endpoint ? esc_url_raw($endpoint) : '',
    ];
    foreach (VERDICT_PASSED_ON as $name) {
        $data['data-' . $name] = (string) $attributes[$name];
    }
    $html = '<div data-verdict';
    foreach ($data as $name => $value) {
        if ($value !== '') {
            $html .= ' ' . $name . '="' . esc_attr($value) . '"';
        }
    }
    $html .= '>';
    if ($comparison !== '') {
        // The build's HTML, as it is: a declarative shadow root and the card's JSON-LD (trusted like the widget).
        $html .= verdict_inline_card($widget, $bundle, $comparison, (bool) $endpoint);
    }
    $html .= '</div>';
    wp_enqueue_script('verdict-embed', $widget . 'embed.js', [], null, true);
    return $html;
}

add_filter('script_loader_tag', function ($tag, $handle) {
    return $handle === 'verdict-embed' ? str_replace(' src=', ' async src=', $tag) : $tag;
}, 10, 2);

add_action('init', function () {
    add_shortcode('verdict', 'verdict_card');
    wp_register_script(
        'verdict-block-editor',
        plugins_url('block.js', __FILE__),
        ['wp-blocks', 'wp-element', 'wp-block-editor', 'wp-components', 'wp-i18n'],
        '0.1.0',
        true
    );
    $attributes = [];
    foreach (verdict_defaults() as $name => $default) {
        $attributes[$name] = ['type' => 'string', 'default' => $default];
    }
    register_block_type('verdict/card', [
        'api_version' => 2,
        'title' => 'Verdict card',
        'category' => 'embed',
        'editor_script' => 'verdict-block-editor',
        'attributes' => $attributes,
        'render_callback' => 'verdict_card',
    ]);
});

add_action('admin_init', function () {
    foreach (['verdict_widget_url' => 'Widget URL (where dist/ is served)', 'verdict_endpoint' => 'Vote endpoint'] as $name => $label) {
        register_setting('verdict', $name, ['type' => 'string', 'sanitize_callback' => 'esc_url_raw']);
        add_settings_field($name, $label, function () use ($name) {
            printf('<input type="url" class="regular-text" name="%1$s" value="%2$s">', esc_attr($name), esc_attr(get_option($name, '')));
        }, 'verdict', 'verdict_main');
    }
    add_settings_section('verdict_main', '', '__return_false', 'verdict');
});

add_action('admin_menu', function () {
    add_options_page('Verdict', 'Verdict', 'manage_options', 'verdict', function () {
        echo '<div class="wrap"><h1>Verdict</h1><form method="post" action="options.php">';
        settings_fields('verdict');
        do_settings_sections('verdict');
        submit_button();
        echo '</form><p>The vote endpoint must allow this site: <code>--allow-origin ' . esc_html(home_url()) . '</code>.</p></div>';
    });
});

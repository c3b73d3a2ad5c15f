"""A throwaway WordPress on loopback: Debian's ``wordpress`` package, PHP's built-in server and MariaDB.

Nothing of the machine's own configuration is used or changed. MariaDB runs
from a data folder made here (``mariadb-install-db``), listening only on a
socket in it. WordPress runs from Debian's files (``/usr/share/wordpress``)
through a folder of links made here, with its own ``wp-config.php`` and
``wp-content`` (Debian's own ``wp-config.php`` reads ``/etc/wordpress``, which
we leave alone); PHP's built-in server serves it on a free port of 127.0.0.1.
``stop()`` ends both servers and removes the folder.

One test-only setting (``wp-content/mu-plugins/loopback.php``): WordPress
fetches oEmbed only from ports 80, 443 and 8080 or its own, to keep a site
from probing its network; the test's widget host and vote endpoint are on
other loopback ports, so they are added to that list.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from .endpoint import HOST, free_port

WORDPRESS = Path("/usr/share/wordpress")
MARIADB_INSTALL = "mariadb-install-db"
MARIADBD = "/usr/sbin/mariadbd"
PHP = "php"
MARIADB_SETUP = ["--no-defaults", "--user=root", "--skip-test-db", "--auth-root-authentication-method=normal"]
# A small server for one test blog: only its socket, no binary log, little memory.
MARIADB_SERVER = [
    "--no-defaults",
    "--user=root",
    "--skip-networking",
    "--skip-log-bin",
    "--innodb-buffer-pool-size=16M",
]
# Debian's WordPress files the folder of links carries (everything but wp-config.php and wp-content).
LINKED = (
    [p.name for p in WORDPRESS.iterdir() if p.name not in ("wp-config.php", "wp-content")] if WORDPRESS.exists() else []
)

ROUTER = """<?php
// PHP's built-in server: static files as they are, PHP files run, every other path is WordPress's.
define('ABSPATH', __DIR__ . '/');
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path !== '/' && is_file(__DIR__ . $path)) {
    if (substr($path, -4) !== '.php') return false;
    require __DIR__ . $path;
    return;
}
require __DIR__ . '/index.php';
"""

CONFIG = """<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:{socket}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
{keys}
$table_prefix = 'wp_';
define('WP_HOME', '{url}');
define('WP_SITEURL', '{url}');
define('WP_CONTENT_DIR', __DIR__ . '/wp-content');
define('WP_CONTENT_URL', '{url}/wp-content');
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_DEBUG', false);
if (!defined('ABSPATH')) define('ABSPATH', __DIR__ . '/');
require_once ABSPATH . 'wp-settings.php';
"""

LOOPBACK = """<?php
// Test only: the widget host and the vote endpoint run on loopback ports WordPress would not fetch from.
add_filter('http_allowed_safe_ports', function ($ports) {{ return array_merge($ports, {ports}); }});
"""

INSTALL = """<?php
define('WP_INSTALLING', true);
define('ABSPATH', __DIR__ . '/');
$_SERVER['HTTP_HOST'] = '{host}';
require __DIR__ . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
wp_install('Verdict test blog', 'admin', 'admin@example.com', true, '', wp_generate_password(24));
update_option('permalink_structure', '');
echo "installed\\n";
"""

POST = """<?php
define('ABSPATH', __DIR__ . '/');
$_SERVER['HTTP_HOST'] = '{host}';
require __DIR__ . '/wp-load.php';
$spec = json_decode(file_get_contents('php://stdin'), true);
$id = wp_insert_post(['post_title' => $spec['title'], 'post_content' => $spec['content'],
    'post_status' => 'publish', 'post_author' => 1], true);
if (is_wp_error($id)) {{ fwrite(STDERR, $id->get_error_message()); exit(1); }}
if (!empty($spec['plugin'])) {{
    require_once ABSPATH . 'wp-admin/includes/plugin.php';
    $active = activate_plugin($spec['plugin']);
    if (is_wp_error($active)) {{ fwrite(STDERR, $active->get_error_message()); exit(1); }}
}}
foreach ($spec['options'] ?? [] as $name => $value) update_option($name, $value);
echo get_permalink($id);
"""


def available() -> bool:
    return (WORDPRESS / "wp-settings.php").exists() and Path(MARIADBD).exists() and shutil.which(PHP) is not None


class WordPress:
    """``start()`` it, publish posts with ``post()``, ``stop()`` it."""

    def __init__(self, allowed_ports: list[int], plugins: dict[str, Path] | None = None) -> None:
        if not available():
            raise RuntimeError("WordPress, PHP or MariaDB is missing (python3 build.py test installs them)")
        self.folder = Path(tempfile.mkdtemp(prefix="verdict-wp-"))
        self.root = self.folder / "root"
        self.data = self.folder / "mysql"
        self.socket = self.folder / "mysql.sock"
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.allowed_ports = allowed_ports
        self.plugins = plugins or {}
        self._processes: list[subprocess.Popen[bytes]] = []

    def _files(self) -> None:
        self.root.mkdir()
        for name in LINKED:
            (self.root / name).symlink_to(WORDPRESS / name)
        content = self.root / "wp-content"
        for folder in ("plugins", "mu-plugins", "uploads"):
            (content / folder).mkdir(parents=True)
        (content / "themes").symlink_to(WORDPRESS / "wp-content" / "themes")
        for name, source in self.plugins.items():
            (content / "plugins" / name).symlink_to(source)
        keys = "\n".join(
            f"define('{name}', '{secrets.token_hex(32)}');"
            for kind in ("AUTH", "SECURE_AUTH", "LOGGED_IN", "NONCE")
            for name in (f"{kind}_KEY", f"{kind}_SALT")
        )
        (self.root / "wp-config.php").write_text(CONFIG.format(socket=self.socket, keys=keys, url=self.url))
        (self.root / "router.php").write_text(ROUTER)
        (content / "mu-plugins" / "loopback.php").write_text(LOOPBACK.format(ports=json.dumps(self.allowed_ports)))
        (self.root / "install.php").write_text(INSTALL.format(host=f"{HOST}:{self.port}"))
        (self.root / "post.php").write_text(POST.format(host=f"{HOST}:{self.port}"))

    def _php(self, script: str, stdin: str = "") -> str:
        done = subprocess.run(
            [PHP, script], cwd=self.root, input=stdin.encode(), capture_output=True, timeout=120, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"php {script} failed: {done.stdout.decode()[-2000:]} {done.stderr.decode()[-2000:]}")
        return done.stdout.decode()

    def start(self) -> None:
        self._files()
        log = (self.folder / "mariadb.log").open("wb")
        subprocess.run(
            [MARIADB_INSTALL, *MARIADB_SETUP, f"--datadir={self.data}"],
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=120,
        )
        self._processes.append(
            subprocess.Popen(
                [MARIADBD, *MARIADB_SERVER, f"--datadir={self.data}", f"--socket={self.socket}"],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        deadline = time.monotonic() + 60
        while True:
            ping = subprocess.run(
                ["mariadb", "--no-defaults", f"--socket={self.socket}", "-uroot", "-e", "CREATE DATABASE wordpress"],
                capture_output=True,
            )
            if ping.returncode == 0:
                break
            if time.monotonic() > deadline or self._processes[0].poll() is not None:
                raise RuntimeError("MariaDB did not start: " + (self.folder / "mariadb.log").read_text()[-2000:])
            time.sleep(0.2)
        self._php("install.php")
        server_log = (self.folder / "php.log").open("wb")
        self._processes.append(
            subprocess.Popen(
                [PHP, "-S", f"{HOST}:{self.port}", "-t", str(self.root), str(self.root / "router.php")],
                cwd=self.root,
                stdout=server_log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PHP_CLI_SERVER_WORKERS": "4"},
            )
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(self.url + "/", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("WordPress did not answer: " + self.log()[-2000:])
            time.sleep(0.2)

    def post(self, title: str, content: str, plugin: str | None = None, options: dict[str, str] | None = None) -> str:
        """Publish a post (activating ``plugin`` and setting ``options`` first); its URL."""
        spec = {"title": title, "content": content, "plugin": plugin, "options": options or {}}
        return self._php("post.php", json.dumps(spec)).strip()

    def log(self) -> str:
        path = self.folder / "php.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        for process in reversed(self._processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

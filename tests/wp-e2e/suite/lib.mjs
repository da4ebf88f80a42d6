// The suite's helpers: the stack up.sh describes ($RT/stack.json), Debian's Chromium through
// playwright-core (flags from the platform recipe), logging in, screenshots, the simulators'
// control APIs, placing orders through the WooCommerce stand-in's checkout paths (real PHP-FPM
// requests), and reading the NAV numbers off the status screen.
import { chromium, request } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const OUT = join(HERE, '..', 'out');

export const stack = JSON.parse(readFileSync(join(process.env.RT ?? '/tmp/ml-connector-wp-e2e', 'stack.json'), 'utf8'));
export const WP = stack.wp_url;

/**
 * Debian's Chromium with the recipe's flags. A launched browser (not a persistent context) so each
 * user gets a context with its own cookies; Playwright gives it a fresh temporary profile.
 */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page in a new context (own cookies); logged out. */
export async function visitor(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

/** A page in a new context, logged in as `user` (password from stack.json). */
export async function logIn(browser, user) {
  const page = await visitor(browser);
  await page.goto(`${WP}/wp-login.php`);
  await page.fill('#user_login', user);
  await page.fill('#user_pass', stack.users[user]);
  await Promise.all([page.waitForURL('**/wp-admin/**'), page.click('#wp-submit')]);
  return page;
}

export async function shot(page, name, options = {}) {
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true, ...options });
}

// --- simulators ---------------------------------------------------------------------------------

async function json(url, init = {}) {
  const response = await fetch(url, { ...init, headers: { 'Content-Type': 'application/json', ...(init.headers ?? {}) } });
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

export const bc = {
  salesOrders: () => json(`${stack.bc.control_url}/data/salesOrders`),
  faults: (faults) => json(`${stack.bc.control_url}/faults`, { method: 'PATCH', body: JSON.stringify(faults) }),
  seed: (document) => json(`${stack.bc.control_url}/seed`, { method: 'POST', body: JSON.stringify(document) }),
};

/** NAV's sales orders for a WooCommerce order (external document no. = prefix + order number). */
export async function salesOrdersFor(orderId) {
  return (await bc.salesOrders()).filter((o) => o.externalDocumentNumber === `WC-${orderId}`);
}

// --- orders through the stand-in's checkout paths -------------------------------------------------

async function answer(response, what) {
  const body = await response.text();
  if (!response.ok()) throw new Error(`${what}: HTTP ${response.status()} ${body}`);
  const data = JSON.parse(body);
  if (!data.order_id) throw new Error(`${what}: no order id in ${body}`);
  return data.order_id;
}

/** A shopper's browser-less session: no cookies, as a guest at the checkout. */
export async function shopper() {
  return request.newContext({ baseURL: WP });
}

/**
 * Places an order on one path; `admin` is a logged-in page of a user who may edit orders (admin
 * and REST paths). Returns { orderId, sentAt, requestMs }: sentAt is just before the request that
 * makes the order (classic: the checkout; block: the place-order request; REST: the create; admin:
 * "Create"), requestMs how long that request took (the plugin hands the event off inside it).
 */
export async function placeOrder(path, order, users) {
  const placed = await placeOn(path, order, users);
  // The order request is the last thing each path does: it took until now.
  return { ...placed, requestMs: performance.now() - placed.sentAt };
}

async function placeOn(path, order, { guest, admin }) {
  const data = (body) => ({ data: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  if (path === 'classic') {
    const sentAt = performance.now();
    return { orderId: await answer(await guest.post('/?wc-ajax=checkout', data(order)), 'classic checkout'), sentAt };
  }
  if (path === 'block') {
    const draft = await answer(await guest.post('/?rest_route=/wc-stand-in/v1/block-checkout/draft', data(order)), 'block checkout draft');
    const sentAt = performance.now();
    return { orderId: await answer(await guest.post('/?rest_route=/wc-stand-in/v1/block-checkout/place', data({ order_id: draft, payment: order.payment })), 'block checkout'), sentAt };
  }
  if (path === 'rest') {
    const nonce = await (await admin.request.get(`${WP}/wp-admin/admin-ajax.php?action=rest-nonce`)).text();
    const sentAt = performance.now();
    const response = await admin.request.post(`${WP}/?rest_route=/wc-stand-in/v1/rest-orders`, { ...data(order), headers: { 'Content-Type': 'application/json', 'X-WP-Nonce': nonce } });
    return { orderId: await answer(response, 'REST create'), sentAt };
  }
  if (path === 'admin') {
    await admin.goto(`${WP}/wp-admin/admin.php?page=wc-orders`);
    const nonce = await admin.getAttribute('#wc-stand-in-orders', 'data-nonce');
    const ajax = (action, body) => admin.request.post(`${WP}/wp-admin/admin-ajax.php?action=${action}&nonce=${nonce}`, data(body));
    const draft = await answer(await ajax('wc_stand_in_add_order', {}), 'admin: add order');
    await answer(await ajax('wc_stand_in_add_order_items', { order_id: draft, lines: order.lines }), 'admin: add items');
    const sentAt = performance.now();
    return { orderId: await answer(await ajax('wc_stand_in_create_order', { order_id: draft, status: 'processing', billing: order.billing }), 'admin: create'), sentAt };
  }
  throw new Error(`unknown checkout path ${path}`);
}

// --- the status screen ---------------------------------------------------------------------------

export const STATUS = `${WP}/wp-admin/admin.php?page=ml-connector-status`;

/** The newest "Recent syncs" row of an order on the status screen: { nav, state } or null. */
export function recentSync(html, orderId) {
  const recent = html.split('<h2>Parked</h2>')[0];
  const row = new RegExp(`>#${orderId}</a></td><td>([^<]*)</td><td>([^<]*)</td>`).exec(recent);
  return row ? { nav: row[1], state: row[2] } : null;
}

/** The status screen's parked rows: [{ job, order, kind, reason, attempts, since }]. */
export function parkedRows(html) {
  const parked = html.split('<h2>Parked</h2>')[1] ?? '';
  const rows = [...parked.matchAll(/<tr><td>(\d+)<\/td><td>(?:<a [^>]*>)?#(\d+)(?:<\/a>)?<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td>/g)];
  return rows.map((m) => ({ job: Number(m[1]), order: Number(m[2]), kind: m[3], reason: m[4], attempts: Number(m[5]), since: m[6] }));
}

/** Polls the status screen (as `page`'s user) until `found(html)` gives a value. */
export async function onStatusScreen(page, what, found, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const html = await (await page.request.get(STATUS)).text();
    const value = found(html);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`status screen: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function percentile(samples, p) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

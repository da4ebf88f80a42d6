// ml-connector end to end on a real WordPress (Debian's, on nginx + PHP-FPM + MariaDB) in headless
// Chromium: the administrator configures Business Central online against bc-sim, tests the
// connection, orders placed on every checkout path of the WooCommerce stand-in get their NAV
// numbers on the status screen, parked orders show their reasons, other users and requests without
// a valid nonce are refused, and Replay gives the parked orders their numbers exactly once.
//
// The tests run in order on one stack (run.sh starts it): each builds on the state the previous
// one left. The figure printed at the end is the time from the order request in PHP-FPM to its NAV
// number on the status screen.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  STATUS, WP, bc, launchBrowser, logIn, onStatusScreen, parkedRows, percentile, placeOrder,
  recentSync, salesOrdersFor, shopper, shot, stack, visitor,
} from './lib.mjs';

const SETTINGS = `${WP}/wp-admin/admin.php?page=ml-connector`;
const ORDERS = `${WP}/wp-admin/admin.php?page=wc-orders`;
const SEED = JSON.parse(readFileSync(join(import.meta.dirname, '../../seed/demo-shop.json'), 'utf8'));

let browser;
let admin;
let guest;
const synced = new Map(); // order id -> NAV number seen on the status screen
const latencies = [];     // ms, order request sent -> NAV number on the status screen
const requests = [];      // ms, the order request itself (PHP-FPM, the plugin's hand-off included)
const parked = {};        // why -> order id

before(async () => {
  browser = await launchBrowser();
  guest = await shopper();
});

after(async () => {
  await guest?.dispose();
  await browser?.close();
  if (latencies.length) {
    const p50 = percentile(latencies, 50);
    console.log(`# order request in PHP-FPM -> NAV number on the status screen: p50 ${p50.toFixed(0)} ms, `
      + `max ${Math.max(...latencies).toFixed(0)} ms over ${latencies.length} orders `
      + `(the order request itself: p50 ${percentile(requests, 50).toFixed(0)} ms)`);
  }
});

/** Fills in the Business Central online settings; `secret` may be wrong on purpose. */
async function saveSettings(page, secret) {
  await page.goto(SETTINGS);
  await page.selectOption('#ml-connector-deployment', 'bc_online');
  await page.fill('#ml-connector-nav-company', stack.bc.company_name);
  await page.fill('#ml-connector-nav-tenant', stack.bc.tenant);
  await page.fill('#ml-connector-nav-environment', stack.bc.environment);
  await page.fill('#ml-connector-nav-client_id', stack.bc.client_id);
  await page.fill('#ml-connector-nav-client_secret', secret);
  await page.fill('#ml-connector-nav-login_url', stack.bc.base_url);
  await page.fill('#ml-connector-nav-api_url', stack.bc.base_url);
  await Promise.all([page.waitForURL('**settings-updated=true**'), page.click('form[action$="options.php"] #submit')]);
}

/** Presses Test connection and waits for the agent's answer; returns the result box's text. */
async function testConnection(page) {
  await page.click('#ml-connector-check');
  await page.waitForSelector('#ml-connector-check-result .ml-connector-ok, #ml-connector-check-result .ml-connector-failed', { timeout: 30_000 });
  return page.textContent('#ml-connector-check-result');
}

/**
 * A screenshot of a section of a long page, right of the admin menu: from the top of one element
 * to the bottom of another (the README's pictures: docs-*.png).
 */
async function shotOfSection(page, from, to, name) {
  // Page coordinates (a full-page clip), not the viewport's: the page may be scrolled.
  const edge = (selector, side) => page.locator(selector).evaluate((e, s) => e.getBoundingClientRect()[s] + window.scrollY, side);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  const y = Math.max(0, (await edge(from, 'top')) - 12);
  await shot(page, name, { clip: { x: 160, y, width: width - 160, height: (await edge(to, 'bottom')) + 12 - y } });
}

/** Places an order, waits for its NAV number on the status screen, records the latency. */
async function orderReachesNav(path, order) {
  const { orderId, sentAt, requestMs } = await placeOrder(path, order, { guest, admin });
  requests.push(requestMs);
  const sync = await onStatusScreen(admin, `order ${orderId}'s NAV number`, (html) => {
    const row = recentSync(html, orderId);
    return row?.nav ? row : null;
  });
  latencies.push(performance.now() - sentAt);
  assert.equal(sync.state, 'synced', `order ${orderId} (${path})`);
  synced.set(orderId, sync.nav);
  return orderId;
}

test('the administrator logs in and the plugin hands off through the extension to a running agent', async () => {
  admin = await logIn(browser, 'admin');
  await admin.goto(STATUS);
  const text = await admin.textContent('.wrap');
  assert.match(text, /Running — last heartbeat \d+ s ago\./);
  assert.match(text, /ml_connector PHP extension \d+\.\d+\.\d+/);
  assert.match(text, /Key file.*— readable/);
  assert.match(text, /Wake socket.*— present/);
});

test('settings saved on the page reach the agent, and Test connection succeeds against the simulators', async () => {
  await saveSettings(admin, stack.bc.client_secret);
  assert.match(await admin.textContent('.wrap'), /Settings saved\./);
  assert.equal(await admin.inputValue('#ml-connector-nav-client_secret'), '', 'a saved secret is never shown again');
  const result = await testConnection(admin);
  assert.match(result, /Everything works/);
  assert.match(result, new RegExp(`Companies found: ${stack.bc.company_name}`));
  assert.match(result, /✔ Sign-in to Business Central \/ NAV/);
  assert.match(result, /✔ WooCommerce REST API key/);
  await shot(admin, 'settings-test-connection-ok');
  await shotOfSection(admin, 'h2:text-is("Agent\'s WooCommerce key")', '#ml-connector-check-result', 'docs-settings-test-connection');
});

test('Test connection says clearly that a wrong client secret is refused', async () => {
  await saveSettings(admin, 'not-the-secret');
  const result = await testConnection(admin);
  assert.match(result, /check failed/);
  assert.match(result, /✘ Sign-in to Business Central \/ NAV.*client secret is wrong or expired/s);
  await shot(admin, 'settings-test-connection-wrong-secret');
  await saveSettings(admin, stack.bc.client_secret);
  assert.match(await testConnection(admin), /Everything works/);
});

test('orders from every checkout path get their NAV number on the status screen, once each', async () => {
  const jane = { email: 'jane.doe@example.com', first_name: 'Jane', last_name: 'Doe' };
  const orders = [
    ['classic', { lines: [{ sku: '1900-S', quantity: 2 }], shipping: { total: '4.90' } }],
    ['classic', { lines: [{ sku: '1908-S', quantity: 1 }], billing: { email: 'new.customer@example.net', first_name: 'Nora' }, account: { email: 'new.customer@example.net' } }],
    ['block', { lines: [{ sku: '1896-S', quantity: 1 }], billing: jane }],
    ['block', { lines: [{ sku: '1936-S', quantity: 3 }, { sku: 'TSHIRT-M', quantity: 2 }] }],
    ['admin', { lines: [{ sku: '1920-S', quantity: 1 }], billing: jane }],
    ['admin', { lines: [{ sku: '1960-S', quantity: 2 }] }],
    ['rest', { lines: [{ sku: '1964-S', quantity: 1 }], billing: { email: 'api.buyer@example.org' } }],
    ['rest', { lines: [{ sku: '1988-S', quantity: 4 }], shipping: { total: '9.90' }, billing: jane }],
  ];
  const janes = new Set();
  for (const [path, order] of orders) {
    const orderId = await orderReachesNav(path, order);
    if (order.billing === jane) janes.add(orderId);
  }
  for (const [orderId, nav] of synced) {
    const inNav = await salesOrdersFor(orderId);
    assert.equal(inNav.length, 1, `order ${orderId}: one sales order in NAV`);
    assert.equal(inNav[0].number, nav, `order ${orderId}: the number on the status screen is NAV's`);
    if (janes.has(orderId)) assert.equal(inNav[0].customerNumber, '30000', `order ${orderId}: Jane Doe, found in NAV by e-mail`);
  }
  await admin.goto(STATUS);
  await shot(admin, 'status-synced');
  // The orders list and the order page read the same sync state through the extension.
  await admin.goto(ORDERS);
  for (const [orderId, nav] of synced) {
    assert.match(await admin.textContent(`#order-${orderId} td.column-ml_connector_sync`), new RegExp(`Synced\\s*${nav}`));
  }
  await shot(admin, 'orders-nav-column');
  await shotOfSection(admin, 'h1:text-is("Orders")', 'table.orders', 'docs-orders-nav-column');
  const [first, firstNav] = synced.entries().next().value;
  await admin.goto(`${ORDERS}&action=edit&id=${first}`);
  assert.match(await admin.textContent('#ml-connector-sync'), new RegExp(`Sales order: ${firstNav}`));
  await shot(admin, 'order-nav-box');
});

test('an order with a SKU NAV does not know is parked with that reason', async () => {
  const { orderId } = await placeOrder('classic', { lines: [{ sku: '1900-S', quantity: 1 }, { sku: 'GIFT-WRAP', quantity: 1 }] }, { guest, admin });
  const row = await onStatusScreen(admin, `order ${orderId} parked`, (html) => parkedRows(html).find((r) => r.order === orderId));
  assert.match(row.reason, /GIFT-WRAP/);
  parked.unknownSku = orderId;
});

test('an order placed while NAV is down is parked with the reason once the retries are used up', async () => {
  await bc.faults({ down: true });
  const { orderId } = await placeOrder('block', { lines: [{ sku: '1968-S', quantity: 1 }] }, { guest, admin });
  const row = await onStatusScreen(admin, `order ${orderId} parked`, (html) => parkedRows(html).find((r) => r.order === orderId));
  assert.match(row.reason, /gave up after 3 attempts/);
  parked.navDown = orderId;
  await admin.goto(STATUS);
  assert.match(await admin.textContent('.wrap'), /Business Central \/ NAV\s*NOT reachable/);
  await shot(admin, 'status-parked');
  await shotOfSection(admin, 'h2:text-is("Parked")', 'button:text-is("Replay all parked")', 'docs-status-parked');
});

// --- who may do what: every refusal is checked for its effect too (nothing parked is replayed,
// the settings stay as saved) ---------------------------------------------------------------------

/** The admin's own nonces, as a forger would copy them from the admin's pages. */
async function adminNonces() {
  await admin.goto(STATUS);
  const replay = await admin.getAttribute('form[action$="admin-post.php"] input[name="_wpnonce"]', 'value');
  await admin.goto(SETTINGS);
  const options = await admin.getAttribute('form[action$="options.php"] input[name="_wpnonce"]', 'value');
  const check = await admin.evaluate(() => window.mlConnectorCheck.nonce);
  return { replay, options, check };
}

/** The requests a user (or a visitor) would need; each answers with its HTTP status and body. */
async function attempts(page, nonces) {
  const form = (fields) => ({ form: fields, maxRedirects: 0 });
  const result = async (response) => ({ status: response.status(), body: await response.text(), location: response.headers().location ?? '' });
  return {
    settings: await result(await page.request.get(SETTINGS, { maxRedirects: 0 })),
    status: await result(await page.request.get(STATUS, { maxRedirects: 0 })),
    save: await result(await page.request.post(`${WP}/wp-admin/options.php`, form({
      option_page: 'ml_connector', action: 'update', _wpnonce: nonces.options ?? '',
      'ml_connector_settings[deployment]': 'bc_online', 'ml_connector_settings[nav][company]': 'Forged Company Ltd.',
    }))),
    replay: await result(await page.request.post(`${WP}/wp-admin/admin-post.php`, form({ action: 'ml_connector_replay', target: 'parked', _wpnonce: nonces.replay ?? '' }))),
    check: await result(await page.request.post(`${WP}/wp-admin/admin-ajax.php`, form({ action: 'ml_connector_check_start', nonce: nonces.check ?? '' }))),
  };
}

async function parkedNow() {
  return parkedRows(await (await admin.request.get(STATUS)).text()).map(({ job, attempts: tries, since }) => ({ job, tries, since }));
}

async function nothingChanged(parkedBefore) {
  // A replay the agent accepted would run the jobs again (NAV is still down): attempts and times move.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.deepEqual(await parkedNow(), parkedBefore, 'the parked jobs are untouched');
  await admin.goto(SETTINGS);
  assert.equal(await admin.inputValue('#ml-connector-nav-company'), stack.bc.company_name, 'the settings are as the administrator saved them');
}

for (const user of ['manager-nocap', 'subscriber']) {
  const who = user === 'subscriber' ? 'a subscriber' : 'a shop manager without manage_woocommerce';
  test(`${who} is refused the settings, the status screen, saving, Test connection and Replay`, async () => {
    const before = await parkedNow();
    const page = await logIn(browser, user);
    const tried = await attempts(page, await adminNonces());
    assert.equal(tried.settings.status, 403);
    assert.match(tried.settings.body, /Sorry, you are not allowed to access this page\./);
    assert.equal(tried.status.status, 403);
    assert.equal(tried.save.status, 403);
    assert.match(tried.save.body, /not allowed to manage options/);
    assert.equal(tried.replay.status, 403);
    assert.match(tried.replay.body, /Sorry, you are not allowed to do this\./);
    assert.equal(tried.check.status, 403);
    assert.equal(JSON.parse(tried.check.body).success, false);
    await page.goto(SETTINGS);
    await shot(page, `refused-${user}`);
    await page.context().close();
    await nothingChanged(before);
  });
}

test('a logged-out visitor is sent to the login page or refused', async () => {
  const before = await parkedNow();
  const page = await visitor(browser);
  const tried = await attempts(page, await adminNonces());
  for (const screen of ['settings', 'status', 'save']) {
    assert.equal(tried[screen].status, 302, screen);
    assert.match(tried[screen].location, /wp-login\.php/, screen);
  }
  assert.equal(tried.replay.status, 400, 'admin-post.php has no action for visitors');
  assert.equal(tried.check.status, 400, 'admin-ajax.php has no action for visitors');
  await page.context().close();
  await nothingChanged(before);
});

test('the administrator is refused saving, Test connection, Replay and Send again without a valid nonce', async () => {
  const before = await parkedNow();
  for (const nonces of [{}, { options: 'f0f0f0f0f0', replay: 'f0f0f0f0f0', check: 'f0f0f0f0f0' }]) {
    const tried = await attempts(admin, nonces);
    assert.equal(tried.settings.status, 200, 'the pages themselves open');
    assert.equal(tried.save.status, 403);
    assert.match(tried.save.body, /The link you followed has expired\./);
    assert.equal(tried.replay.status, 403);
    assert.match(tried.replay.body, /The link you followed has expired\./);
    assert.equal(tried.check.status, 403);
    assert.match(JSON.parse(tried.check.body).data.message, /This page has expired/);
  }
  const resync = await admin.request.get(`${WP}/wp-admin/admin-post.php?action=ml_connector_resync&order_id=${parked.unknownSku}`, { maxRedirects: 0 });
  assert.equal(resync.status(), 403);
  await nothingChanged(before);
});

test('a shop manager with manage_woocommerce may open the status screen', async () => {
  const page = await logIn(browser, 'manager');
  const response = await page.goto(STATUS);
  assert.equal(response.status(), 200);
  assert.match(await page.textContent('.wrap'), /ML Connector status/);
  await page.context().close();
});

test('once NAV is healed, Replay gives each parked order its NAV number exactly once', async () => {
  await bc.faults({ down: false });
  const giftWrap = SEED.woo_only_products.find((p) => p.sku === 'GIFT-WRAP');
  await bc.seed({ company: SEED.company, items: [{ number: 'GIFT-WRAP', name: giftWrap.name, price: giftWrap.price, tax_group: 'STANDARD' }] });
  for (const orderId of [parked.unknownSku, parked.navDown]) {
    await admin.goto(STATUS);
    const row = admin.locator('tr', { has: admin.locator(`a:text-is("#${orderId}")`) }).filter({ has: admin.locator('button:text-is("Replay")') });
    await Promise.all([admin.waitForURL('**ml_connector_notice=replay_queued**'), row.locator('button:text-is("Replay")').click()]);
    assert.match(await admin.textContent('.wrap'), /Replay queued/);
    const sync = await onStatusScreen(admin, `order ${orderId}'s NAV number after Replay`, (html) => {
      const found = recentSync(html, orderId);
      return found?.state === 'synced' && found.nav ? found : null;
    });
    const inNav = await salesOrdersFor(orderId);
    assert.equal(inNav.length, 1, `order ${orderId}: exactly one sales order in NAV`);
    assert.equal(inNav[0].number, sync.nav);
  }
  await admin.goto(STATUS);
  assert.match(await admin.textContent('.wrap'), /Nothing is parked\./);
  await shot(admin, 'status-replayed');
  // Nothing else reached NAV twice either.
  const external = (await bc.salesOrders()).map((o) => o.externalDocumentNumber);
  assert.equal(new Set(external).size, external.length, 'no external document number twice in NAV');
});

test('PHP logged no warning, error or ml_connector failure on the way', () => {
  const logs = ['wp-debug.log', 'php-fpm.log'].map((name) => join(stack.runtime_dir, 'log', name)).filter(existsSync);
  const problems = logs.flatMap((file) => readFileSync(file, 'utf8').split('\n'))
    .filter((line) => /ml_connector|PHP (Warning|Notice|Fatal|Parse)|Uncaught/.test(line))
    // WordPress's own update checks cannot reach wordpress.org from here.
    .filter((line) => !line.includes('/wp-includes/update.php'));
  assert.deepEqual(problems, []);
});

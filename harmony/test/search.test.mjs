// @ts-check
/**
 * Search as residents type it, through the Node-API binding against the
 * platform on loopback: a colloquial query finds the loss report with the
 * app's action, a query about nothing in the catalogue gets the closest
 * items, the hotline and (with a location) three outlets instead of an
 * empty screen, and a hit's national twin opens by id. The ArkTS wrapper's
 * `searchHelp`, `catalogueItem` and `actionTab` on top of the same calls.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

import { enrolPersona } from './support.mjs';

const require = createRequire(import.meta.url);
/** The compiled wrapper, typed by its sources (a computed path keeps tsc on the sources). */
const compiled = (/** @type {string} */ name) => require(`../build/node-test/${name}.js`);
/** @type {typeof import('../src/main/ets/Ecard.js')} */
const { Ecard } = compiled('Ecard');
/** @type {typeof import('../src/main/ets/ElderMode.js')} */
const { ELDER_MODE, itemTitle } = compiled('ElderMode');
/** @type {typeof import('../src/main/ets/Labels.js')} */
const { TABS_IN_ORDER, actionTab } = compiled('Labels');

/** Nanchang's centre. */
const NANCHANG = { latitude: 28.6829, longitude: 115.8579 };
/** Nanchang's Donghu district, where the elder lives. */
const REGION = '360102';

test('a search that finds nothing offers the closest items, outlets and the hotline; twins open by id', async () => {
  const { client } = await enrolPersona('elder');
  await client.syncCatalogue();

  // 社保卡丢了: the resident's words, not the catalogue's (挂失).
  const lost = client.search({ text: '社保卡丢了', region: REGION, limit: 10 });
  assert.ok(lost.length > 0, 'a colloquial query finds its items');
  const loss = lost.find((hit) => hit.item.appAction === 'report_loss');
  assert.ok(loss, lost.map((hit) => `${hit.item.id} ${hit.item.name} ${hit.item.appAction}`).join());
  assert.equal(actionTab(loss.item.appAction), 'card');

  // Nothing in the catalogue is about the weather: never an empty screen.
  const weather = { text: '天气预报', region: REGION, limit: 5 };
  assert.deepEqual(client.search(weather), []);
  const help = client.searchHelp(weather, NANCHANG);
  assert.ok(help.closest.length > 0, 'the closest items');
  assert.equal(help.hotline, '12333');
  assert.equal(help.outlets.length, 3);
  for (let index = 1; index < help.outlets.length; index++) {
    assert.ok(help.outlets[index - 1].distanceMetres <= help.outlets[index].distanceMetres, 'nearest first');
  }
  assert.equal(typeof help.outlets[0].outlet.name, 'string');
  assert.equal(typeof help.outlets[0].openNow, 'boolean');
  const withoutLocation = client.searchHelp(weather);
  assert.deepEqual(withoutLocation.outlets, [], 'no location, no outlets');
  assert.deepEqual(withoutLocation.closest, help.closest);
  assert.deepEqual(client.searchHelp(weather, null).outlets, []);
  assert.throws(() => client.searchHelp(weather, /** @type {any} */ ({ latitude: 'north' })), (error) => {
    assert.equal(/** @type {any} */ (error).code, 'invalid_argument');
    return true;
  });

  // A provincial hit carries its national twin; the twin opens by id.
  const withTwin = [...lost, ...client.search({ text: '挂失', region: REGION, limit: 20 })].find((hit) => hit.twins.length > 0);
  assert.ok(withTwin, 'some hit folds a national twin');
  for (const twin of withTwin.twins) {
    const item = client.catalogueItem(twin);
    assert.ok(item, twin);
    assert.equal(item.id, twin);
    assert.equal(item.list, 'national');
  }
  assert.deepEqual(client.catalogueItem(withTwin.item.id), withTwin.item);
  assert.equal(client.catalogueItem('N-999999'), null);

  // The wrapper the ArkTS screen calls.
  const ecard = new Ecard(client);
  assert.deepEqual(ecard.search('天气预报', ELDER_MODE, REGION), []);
  const shown = ecard.searchHelp('天气预报', ELDER_MODE, NANCHANG, REGION);
  assert.ok(shown.closest.length > 0 && shown.closest.length <= ELDER_MODE.listLimit);
  assert.ok(shown.closest.every((hit) => itemTitle(hit.item, ELDER_MODE).length <= 6), 'elder mode shows short labels');
  assert.equal(shown.outlets.length, 3);
  assert.equal(shown.hotline, '12333');
  assert.deepEqual(ecard.searchHelp('天气预报', ELDER_MODE, undefined, REGION).outlets, []);
  assert.equal(ecard.catalogueItem(withTwin.twins[0])?.id, withTwin.twins[0]);
  ecard.close();
});

test('every app action opens a tab of the app, or the item details when there is none', () => {
  assert.equal(actionTab('show_code'), 'code');
  assert.equal(actionTab('apply_for_card'), 'card');
  assert.equal(actionTab('replace_card'), 'card');
  assert.equal(actionTab('report_loss'), 'card');
  assert.equal(actionTab('act_for_family'), 'family');
  assert.equal(actionTab('apply_for_newborn_card'), 'family');
  assert.equal(actionTab('find_outlet'), 'outlets');
  assert.equal(actionTab('change_pin'), null);
  assert.equal(actionTab(null), null);
  assert.equal(actionTab(undefined), null);
  assert.deepEqual([...TABS_IN_ORDER], ['code', 'services', 'outlets', 'card', 'family']);
});

// @ts-check
/**
 * The platform-neutral part of the ArkTS wrapper (src/main/ets/*.ts),
 * compiled by tsconfig.node.json and run against the real library: the
 * code-screen countdown, error presentation, elder-mode rules and the
 * friendly `Ecard` object.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

import { enrolPersona, openClient } from './support.mjs';

const require = createRequire(import.meta.url);
/** The compiled wrapper, typed by its sources (a computed path keeps tsc on the sources). */
const compiled = (/** @type {string} */ name) => require(`../build/node-test/${name}.js`);
/** @type {typeof import('../src/main/ets/Ecard.js')} */
const { Ecard } = compiled('Ecard');
/** @type {typeof import('../src/main/ets/CodeTimer.js')} */
const { CodeTimer, REFRESH_MARGIN_SECONDS } = compiled('CodeTimer');
/** @type {typeof import('../src/main/ets/ElderMode.js')} */
const { ELDER_MODE, NORMAL_MODE, contrastRatio, itemTitle } = compiled('ElderMode');
/** @type {typeof import('../src/main/ets/ErrorView.js')} */
const { errorView, isEcardError } = compiled('ErrorView');
/** @type {typeof import('../src/main/ets/Labels.js')} */
const { formatFen, purposeLabel, stepLabel } = compiled('Labels');

test('the countdown follows the code, not a skewed phone clock', () => {
  /** @type {import('../index.js').CodeView} */
  const code = {
    cardId: 'c', purpose: 'transport', text: 'EC1:X', qrVersion: 10, issuedAt: 1_000, expiresAt: 1_060,
    secondsLeft: 60, onBehalf: 'holder', counter: 1, credentialNotAfter: 9_999,
  };
  // The phone is 500 s behind the platform.
  const timer = new CodeTimer(code, 500);
  assert.equal(timer.secondsLeft(500), 60);
  assert.equal(timer.secondsLeft(530), 30);
  assert.equal(timer.needsRefresh(530), false);
  assert.equal(timer.needsRefresh(560 - REFRESH_MARGIN_SECONDS), true);
  assert.equal(timer.secondsLeft(999), 0);
  assert.equal(timer.fraction(530), 0.5);
});

test('elder mode meets the MIIT sizes and never pops up', () => {
  assert.ok(ELDER_MODE.bodyFontSize >= 18);
  assert.ok(ELDER_MODE.touchTarget >= 60);
  assert.equal(ELDER_MODE.popUps, false);
  assert.ok(contrastRatio(ELDER_MODE.textColor, ELDER_MODE.backgroundColor) >= 4.5);
  assert.ok(contrastRatio(NORMAL_MODE.textColor, NORMAL_MODE.backgroundColor) >= 4.5);
  assert.equal(formatFen(1000), '¥10.00');
  assert.equal(purposeLabel('medical', 'zh-CN'), '就医码');
  assert.equal(stepLabel({ kind: 'pay', amountFen: 1000 }, 'en'), 'To pay ¥10.00');
});

test('the Ecard wrapper drives the real client: codes, search, errors, events', async () => {
  const { client } = await enrolPersona('elder');
  const ecard = new Ecard(client);
  /** @type {import('../index.js').ClientEvent[]} */
  const events = [];
  const stop = ecard.onEvent((event) => events.push(event));
  await client.syncCatalogue();

  const card = ecard.ownCard();
  assert.ok(card);
  assert.deepEqual(ecard.cardsActedFor(), []);
  const timer = await ecard.code('transport');
  assert.ok(timer.text.startsWith('EC1:'));
  const now = Date.now() / 1000;
  assert.ok(timer.secondsLeft(now) > 50);
  assert.equal(timer.needsRefresh(now), false);

  const hits = ecard.search('sbk', ELDER_MODE);
  assert.ok(hits.length > 0 && hits.length <= ELDER_MODE.listLimit);
  assert.ok(itemTitle(hits[0].item, ELDER_MODE).length <= 6);
  assert.equal(ecard.nearestOutlets(28.68, 115.86, 'report_loss', 3).length, 3);

  const outcome = await ecard.attempt(() => client.currentCode(null, /** @type {any} */ ('teleport')));
  assert.equal(outcome.ok, false);
  if (!outcome.ok) {
    assert.equal(outcome.error.action, 'fix_field');
    assert.equal(outcome.error.field, 'purpose');
    assert.equal(outcome.error.actionLabel, '去修改');
  }
  for (let attempt = 0; attempt < 50 && !events.some((event) => event.kind === 'catalogue_synced'); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(events.some((event) => event.kind === 'catalogue_synced'));
  stop();
  ecard.close();
});

test('errors from anywhere become something to show', async () => {
  const { client } = await openClient({ platformUrl: 'http://127.0.0.1:9' });
  const ecard = new Ecard(client);
  const offline = await ecard.attempt(() => client.syncCatalogue());
  assert.equal(offline.ok, false);
  if (!offline.ok) {
    assert.equal(offline.error.category, 'network');
    assert.equal(offline.error.action, 'retry');
    assert.equal(offline.error.actionLabel, '重试');
  }
  assert.equal(isEcardError(new Error('plain')), false);
  assert.equal(errorView(new TypeError('x'), 'en').action, 'reopen');
  ecard.close();
});

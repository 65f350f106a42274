// @ts-check
/**
 * The platform-neutral part of the ArkTS wrapper (src/main/ets/*.ts),
 * compiled by tsconfig.node.json and run against the real library: the
 * code-screen countdown, error presentation, elder-mode rules, the PIN pad,
 * the enrolment steps and the friendly `Ecard` object.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

import { SimulatedFace, TEST_PIN, enrolPersona, latestCode, newPerson, openClient } from './support.mjs';

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
/** @type {typeof import('../src/main/ets/Account.js')} */
const { PIN_KEYS, PinPad, RELATIONSHIPS_IN_ORDER, UnavailableFaceCheck, noticeLabel, relationshipLabel } = compiled('Account');

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

test('the PIN pad takes six digits, hands them over once, and has elder-size keys', () => {
  const pad = new PinPad();
  for (const key of ['1', '2', '3', '4', '5']) pad.press(key);
  assert.equal(pad.take(), null, 'five digits are not a PIN');
  pad.press('⌫');
  for (const key of ['5', '', 'x', '6', '7']) pad.press(key);
  assert.equal(pad.entered, 6);
  assert.equal(pad.complete, true);
  assert.equal(pad.take(), '123456');
  assert.equal(pad.entered, 0, 'taking the PIN empties the pad');
  assert.equal(PIN_KEYS.length, 12);
  assert.ok(ELDER_MODE.pinKey >= 60 && NORMAL_MODE.pinKey >= 60);
  assert.ok(ELDER_MODE.pinDigitFontSize >= 18);
  assert.equal(
    noticeLabel({ noticeId: 1, kind: 'device_enrolled', deviceName: 'HarmonyOS', at: 0 }, 'zh-CN'),
    '您的电子社保卡已在新设备上启用：HarmonyOS',
  );
  assert.equal(noticeLabel({ noticeId: 2, kind: 'pin_locked', deviceName: null, at: 0 }, 'en'), 'Your e-card PIN is locked');
  assert.equal(relationshipLabel(RELATIONSHIPS_IN_ORDER[0], 'zh-CN'), '子女');
});

test('the enrolment steps drive the real client, and a build without a face SDK says so', async () => {
  const person = await newPerson('冯九');
  const { client } = await openClient();
  const ecard = new Ecard(client);
  const flow = ecard.enrolment();
  const wrongDigit = person.id_number.slice(0, 17) + (person.id_number.endsWith('0') ? '1' : '0');
  const bad = await flow.begin({ idType: 'resident_id', idNumber: wrongDigit, name: person.name });
  assert.equal(bad?.field, 'id_number');
  assert.equal(bad?.action, 'fix_field');
  assert.equal(flow.step, 'identity');
  assert.equal(await flow.begin({ idType: person.id_type, idNumber: person.id_number, name: person.name }), null);
  assert.equal(flow.step, 'face_check');

  const noSdk = await flow.checkFace(new UnavailableFaceCheck());
  assert.equal(noSdk?.category, 'network');
  assert.equal(noSdk?.action, 'retry');
  assert.match(noSdk?.message ?? '', /人脸识别暂时无法使用/);
  assert.equal(flow.step, 'face_check', 'the face check may be tried again');

  assert.equal(await flow.checkFace(new SimulatedFace()), null);
  assert.equal(flow.step, 'code_and_pin');
  assert.equal(flow.progress?.pinRequired, true);
  const pad = new PinPad();
  for (const digit of TEST_PIN) pad.press(digit);
  const code = await latestCode(/** @type {string} */ (person.phone));
  assert.ok(code);
  const wrongCode = await flow.complete(code === '000000' ? '111111' : '000000', pad.take());
  assert.equal(wrongCode?.field, 'one_time_code');
  assert.equal(wrongCode?.action, 'fix_field');
  assert.equal(flow.step, 'code_and_pin', 'a wrong code may be corrected');
  for (const digit of TEST_PIN) pad.press(digit);
  assert.equal(await flow.complete(` ${code} `, pad.take()), null);
  assert.equal(flow.step, 'done');
  assert.equal(flow.session?.deviceId, client.session()?.deviceId);
  ecard.close();
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

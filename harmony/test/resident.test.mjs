// @ts-check
/**
 * The resident journey of the Kotlin suite, through the Node-API binding
 * against the platform on loopback: the elder's codes and the offline
 * catalogue; 张伟's first card from application to activation, a loss
 * report that stops codes, and its release. Every client uses the
 * JavaScript key store, and events reach a JavaScript listener.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  NodeKeyStore,
  TEST_PIN,
  advanceDays,
  enrolAs,
  enrolPersona,
  openClient,
  persona,
  rejection,
  testPhoto,
} from './support.mjs';

/** Nanchang's centre. */
const NANCHANG = { latitude: 28.6829, longitude: 115.8579 };

/**
 * Waits until `predicate` holds for the events seen so far.
 * @param {import('../index.js').ClientEvent[]} events
 * @param {(event: import('../index.js').ClientEvent) => boolean} predicate
 */
async function eventually(events, predicate) {
  for (let attempt = 0; attempt < 100 && !events.some(predicate); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return events.some(predicate);
}

test('an SM2 device key (国密, as HUKS makes it) enrols, fetches credentials and shows codes', async () => {
  const keyStore = new NodeKeyStore();
  const { client } = await openClient({ keyStore, deviceSuite: 'sm2' });
  await enrolAs(client, await persona('elder'));
  const devices = await client.devices();
  const current = devices.find((device) => device.current);
  assert.equal(current?.suite, 'sm2', 'the platform holds an SM2 device key');
  await client.syncCatalogue();
  const code = await client.currentCode(null, 'transport');
  assert.ok(code.text.startsWith('EC1:'), code.text);
  const again = await client.currentCode(null, 'transport');
  assert.ok(again.counter > code.counter, 'counters never repeat');
  const medical = await client.currentCode(null, 'medical');
  assert.equal(medical.purpose, 'medical');
  assert.ok(keyStore.calls.sign >= 2, 'requests and codes are signed with the SM2 key');
  client.close();
});

test('the elder enrols, syncs the catalogue, searches, finds outlets and shows codes', async () => {
  const { client, keyStore, session, person } = await enrolPersona('elder');
  assert.match(session.accountId, /\S/);
  assert.equal(client.revealIdNumber(), person.id_number, 'the 小眼睛 toggle shows the full number on purpose');
  /** @type {import('../index.js').ClientEvent[]} */
  const events = [];
  const subscription = client.subscribe((event) => events.push(event));

  const snapshot = client.snapshot();
  assert.equal(snapshot.enrolled, true);
  assert.equal(snapshot.nameMasked, '刘**');
  assert.ok(!snapshot.idNumberMasked?.includes('19480602'), 'the ID number is masked');
  assert.equal(snapshot.cards.length, 1);
  assert.equal(snapshot.cards[0].role, 'holder');
  assert.equal(typeof snapshot.cards[0].credentialNotAfter, 'number');

  const report = await client.syncCatalogue();
  assert.equal(report.unchanged, false);
  assert.ok(report.itemsChanged >= 323, JSON.stringify(report));
  assert.ok(report.outletsChanged >= 3000, JSON.stringify(report));
  assert.ok(client.snapshot().catalogue.asOf);
  assert.ok(await eventually(events, (event) => event.kind === 'catalogue_synced' && event.changed));

  /** @param {string} text */
  const names = (text) => client.search({ text, limit: 10 }).map((hit) => hit.item.name);
  const byCharacters = names('社保卡');
  assert.ok(byCharacters.length > 0);
  assert.ok(byCharacters.some((name) => name.includes('社保卡') || name.includes('社会保障卡')), byCharacters.join());
  const byPinyin = names('shebaoka');
  assert.ok(byPinyin.some((name) => name.includes('社保卡') || name.includes('社会保障卡')), byPinyin.join());
  assert.equal(names('shehuibaozhangka')[0], names('社会保障卡')[0], 'full pinyin finds what the characters find');
  const byInitials = names('sbk');
  assert.ok(byInitials.some((name) => name.includes('社保卡') || name.includes('社会保障卡')), byInitials.join());
  const hit = client.search({ text: '社会保障卡', limit: 1 })[0];
  assert.equal(hit.matched, 'characters');
  assert.ok(hit.item.shortLabel.length <= 6, 'elder mode labels are short');

  const outlets = client.nearestOutlets({ ...NANCHANG, limit: 20 });
  assert.equal(outlets.length, 20);
  for (let index = 1; index < outlets.length; index++) {
    assert.ok(outlets[index - 1].distanceMetres <= outlets[index].distanceMetres, 'nearest first');
  }
  assert.ok(outlets[0].distanceMetres < 20_000);
  assert.equal(typeof outlets[0].outlet.name, 'string');

  const code = await client.currentCode(null, 'transport');
  assert.ok(code.text.startsWith('EC1:'), code.text);
  assert.ok(code.secondsLeft > 50 && code.secondsLeft <= 60, `${code.secondsLeft}`);
  assert.equal(code.expiresAt - code.issuedAt, 60);
  assert.equal(code.onBehalf, 'holder');
  assert.ok(code.qrVersion <= 12);
  const again = await client.currentCode(undefined, 'transport');
  assert.ok(again.counter > code.counter, 'counters never repeat');
  const medical = await client.currentCode(snapshot.cards[0].cardId, 'medical');
  assert.equal(medical.purpose, 'medical');
  assert.ok(keyStore.calls.sign >= 2, 'codes are signed by the JavaScript key store');

  // PIPL: the person's own data, then erased here and at the platform.
  const exported = client.exportPersonalData();
  assert.equal(exported.session?.identity.idNumber, person.id_number);
  assert.ok(exported.credentials.length >= 2);
  await client.deletePersonalData(TEST_PIN);
  assert.equal(client.snapshot().enrolled, false);
  assert.equal(client.exportPersonalData().session, null);

  subscription.cancel();
  subscription.cancel();
  client.close();
});

test('张伟 applies for a first card, collects it, activates it, reports it lost and releases it', async () => {
  const { client, keyStore } = await enrolPersona('resident');
  /** @type {import('../index.js').ClientEvent[]} */
  const events = [];
  const subscription = client.subscribe((event) => events.push(event));
  await client.syncCatalogue();
  assert.equal(client.snapshot().cards.filter((card) => card.role === 'holder').length, 0, '张伟 has no card of his own yet');
  const noCode = await rejection(client.currentCode(null, 'transport'));
  assert.equal(noCode.category, 'revoked', `${noCode.code}: ${noCode.detail}`);

  const rules = client.rules();
  assert.ok(rules);
  assert.ok(rules.banks.some((bank) => bank.code === 'icbc'));
  const [pickup] = client.nearestOutlets({ ...NANCHANG, limit: 1, service: 'card_pickup' });
  assert.ok(pickup, 'an outlet for collecting cards');

  const form = {
    photoJpeg: testPhoto(),
    bank: 'icbc',
    phone: '13800138000',
    delivery: /** @type {const} */ ({ method: 'pickup', outletId: pickup.outlet.id }),
  };
  const draftId = await client.saveDraft(null, { kind: 'new_card', newCard: form });
  const [draft] = client.drafts();
  assert.equal(draft.draftId, draftId);
  assert.equal(draft.form.newCard?.photoJpeg.length, testPhoto().length, 'the photo survives the draft');
  assert.deepEqual(draft.form.newCard?.delivery, form.delivery);

  const submission = await client.submitApplication(form, draftId);
  assert.equal(submission.state, 'done');
  assert.equal(client.drafts().length, 0, 'submitting consumes the draft');
  const applicationId = client.submittedApplicationId(submission);
  assert.ok(applicationId);

  let flow = await client.application(applicationId);
  assert.equal(flow.applicationId, applicationId);
  assert.equal(flow.step.kind, 'in_production', JSON.stringify(flow.step));
  assert.ok(flow.progress.length >= 1);
  assert.equal(flow.progress[0].label, '数据录入');

  await advanceDays((rules.productionDays ?? 3) + 1);
  flow = await flow.refresh();
  assert.equal(flow.application.state, 'at_outlet');
  assert.equal(flow.step.kind, 'collect_at_outlet');
  assert.ok(flow.actions.includes('confirm_receipt'), flow.actions.join());
  assert.ok(flow.progress.some((stage) => stage.label === '制卡中'));

  await flow.confirmReceipt();
  flow = await flow.refresh();
  assert.equal(flow.step.kind, 'activate');
  const activated = await flow.activate();
  assert.equal(activated.state, 'done');
  flow = await flow.refresh();
  assert.equal(flow.step.kind, 'done');

  const cardId = flow.application.cardId;
  assert.ok(cardId);
  const code = await client.currentCode(null, 'transport');
  assert.ok(code.text.startsWith('EC1:'));
  assert.equal(code.cardId, cardId);

  const loss = client.lossFlow(cardId);
  assert.equal(loss.canReportTemporary, true);
  assert.equal(loss.eCardWorksWhileTemporarilyLost, false);
  await loss.reportTemporary();
  assert.ok(await eventually(events, (event) => event.kind === 'card_suspended' && event.cardId === cardId));
  const refused = await rejection(client.currentCode(null, 'transport'));
  assert.equal(refused.category, 'revoked');
  assert.equal(refused.code, 'card_suspended');
  assert.match(refused.message, /挂失/);
  const lost = loss.refresh();
  assert.equal(lost.card.status, 'temporarily_lost');
  assert.equal(lost.canReleaseOnline, true);
  assert.equal(typeof lost.lapsesAt, 'number');

  await lost.release(TEST_PIN);
  const back = await client.currentCode(null, 'transport');
  assert.ok(back.text.startsWith('EC1:'));
  assert.notEqual(back.text, code.text);
  assert.equal(client.snapshot().cards.find((card) => card.cardId === cardId)?.suspendedHere, false);

  assert.ok(events.some((event) => event.kind === 'profile_changed'));
  assert.ok(events.some((event) => event.kind === 'workflow_changed'));
  assert.ok(events.some((event) => event.kind === 'outbox_changed'));
  assert.equal(client.outbox().every((entry) => entry.state === 'done'), true);
  assert.ok(keyStore.calls.sign > 5);
  subscription.cancel();
  client.close();
});

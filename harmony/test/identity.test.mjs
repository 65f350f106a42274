// @ts-check
/**
 * Enrolment and account security through the Node-API binding, with the
 * face check implemented in JavaScript (SimulatedFace, answering from a
 * Promise while the core waits on its own thread) and the one-time codes
 * read from the platform's SMS outbox: a first enrolment, a second device
 * approved by the first, a takeover with a name and an ID number only,
 * unlinking, the PIN lockout and reset, a phone change and a relative's
 * consent by face. Each test enrols people of its own.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  SimulatedFace,
  TEST_PIN,
  enrolAs,
  identityOf,
  latestCode,
  newPerson,
  openClient,
  rejection,
  texts,
} from './support.mjs';

/** `137****1234`, as the platform shows a phone. @param {string} phone */
const masked = (phone) => `${phone.slice(0, 3)}****${phone.slice(-4)}`;

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

test('a first enrolment takes a face check, the texted code and a new PIN', async () => {
  const person = await newPerson('赵一');
  const phone = /** @type {string} */ (person.phone);
  const { client } = await openClient();
  /** @type {import('../index.js').ClientEvent[]} */
  const events = [];
  const subscription = client.subscribe((event) => events.push(event));

  const started = await client.beginEnrolment(identityOf(person));
  assert.equal(started.codeSentTo, null, 'nothing is texted before the face check');
  assert.equal(started.pinRequired, false);
  assert.deepEqual(await texts(phone), []);

  const face = new SimulatedFace();
  const present = await client.confirmPresence(face);
  assert.equal(present.enrolmentId, started.enrolmentId);
  assert.equal(present.codeSentTo, masked(phone));
  assert.equal(present.pinRequired, true, 'a new account sets its PIN');
  assert.equal(present.approvalPossible, false);
  assert.equal(face.requests.length, 1);
  assert.equal(face.requests[0].purpose, 'enrolment');
  assert.equal(face.requests[0].idNumber, person.id_number);
  assert.equal(face.requests[0].nameMasked, '赵*');
  assert.match(face.requests[0].deviceBinding, /^[0-9a-f]{64}$/);

  const code = await latestCode(phone);
  assert.ok(code);
  const weak = await rejection(client.completeEnrolment(code, '123456'));
  assert.equal(weak.code, 'pin_too_simple');
  assert.equal(weak.category, 'invalid_input');
  assert.match(weak.message, /[\u4e00-\u9fff]/);
  const session = await client.completeEnrolment(code, TEST_PIN);
  assert.equal(client.snapshot().enrolled, true);
  assert.equal(client.session()?.deviceId, session.deviceId);
  assert.ok((await client.currentCode(null, 'transport')).text.startsWith('EC1:'));

  const devices = await client.devices();
  assert.equal(devices.length, 1);
  assert.equal(devices[0].deviceId, session.deviceId);
  assert.equal(devices[0].current, true);
  assert.equal(devices[0].name, 'node test');
  const notices = await client.checkNotices();
  assert.ok(notices.some((notice) => notice.kind === 'device_enrolled' && notice.deviceName === 'node test'), JSON.stringify(notices));
  assert.ok(await eventually(events, (event) => event.kind === 'account_notice' && event.notice.kind === 'device_enrolled'));
  subscription.cancel();
  client.close();
});

test('a second device is approved on the first with the PIN and completes without a code', async () => {
  const person = await newPerson('钱二');
  const first = (await openClient({ deviceName: 'first phone' })).client;
  await enrolAs(first, person);
  const second = (await openClient({ deviceName: 'second phone' })).client;
  await second.beginEnrolment(identityOf(person));
  const present = await second.confirmPresence(new SimulatedFace());
  assert.equal(present.approvalPossible, true);
  assert.equal(present.pinRequired, false, 'the account has its PIN');
  const waiting = await rejection(second.completeEnrolment(null));
  assert.equal(waiting.code, 'approval_pending');
  assert.equal(waiting.category, 'not_allowed');

  // The first device hears of it, sees the request and approves with the PIN.
  assert.ok((await first.checkNotices()).some((notice) => notice.kind === 'enrolment_requested'));
  const requests = await first.enrolmentRequests();
  assert.equal(requests.length, 1);
  assert.equal(requests[0].enrolmentId, present.enrolmentId);
  assert.equal(requests[0].deviceName, 'second phone');
  const wrongPin = await rejection(first.approveEnrolment(present.enrolmentId, '246813'));
  assert.equal(wrongPin.code, 'pin_wrong');
  await first.approveEnrolment(present.enrolmentId, TEST_PIN);

  const session = await second.completeEnrolment(null, null);
  assert.equal(second.snapshot().enrolled, true);
  const devices = await first.devices();
  assert.equal(devices.length, 2);
  assert.ok(devices.some((device) => device.deviceId === session.deviceId && !device.current));
  first.close();
  second.close();
});

test('a takeover with the name and ID number only is refused and leaves the victim’s devices alone', async () => {
  const victim = await newPerson('孙三');
  const phone = /** @type {string} */ (victim.phone);
  const owner = (await openClient()).client;
  await enrolAs(owner, victim);
  const devicesBefore = (await owner.devices()).map((device) => device.deviceId);
  const textsBefore = (await texts(phone)).length;

  const attacker = (await openClient()).client;
  await attacker.beginEnrolment(identityOf(victim));
  const refused = await rejection(attacker.confirmPresence(new SimulatedFace('impostor')));
  assert.equal(refused.code, 'identity_not_verified');
  assert.equal(refused.category, 'invalid_input');
  const finished = await rejection(attacker.completeEnrolment('000000', TEST_PIN));
  assert.equal(finished.code, 'invalid_state');
  assert.equal(attacker.session(), null);
  assert.equal(attacker.snapshot().enrolled, false);
  assert.equal((await rejection(attacker.currentCode(null, 'transport'))).code, 'not_enrolled');
  assert.equal((await rejection(attacker.devices())).code, 'not_enrolled');

  // A cancelled capture never reaches the platform.
  await attacker.beginEnrolment(identityOf(victim));
  const cancelled = await rejection(attacker.confirmPresence(new SimulatedFace('cancelled')));
  assert.equal(cancelled.code, 'face_check_cancelled');
  assert.equal(cancelled.category, 'not_allowed');
  assert.match(cancelled.message, /人脸识别/);
  assert.equal(attacker.session(), null);

  assert.equal((await texts(phone)).length, textsBefore, 'no code went to the victim’s phone');
  assert.deepEqual((await owner.devices()).map((device) => device.deviceId), devicesBefore);
  assert.equal((await owner.refreshProfile()).person.personId, victim.person_id, 'the victim keeps working');
  attacker.close();
  owner.close();
});

test('an unlinked device’s next signed call is refused', async () => {
  const person = await newPerson('李四');
  const keeper = (await openClient()).client;
  await enrolAs(keeper, person);
  const other = (await openClient()).client;
  const session = await enrolAs(other, person);
  await other.refreshProfile();

  const unlinked = await keeper.unlinkDevice(session.deviceId, TEST_PIN);
  assert.equal(unlinked.deviceId, session.deviceId);
  assert.ok(unlinked.credentialsRevoked >= 1, JSON.stringify(unlinked));
  const refused = await rejection(other.refreshProfile());
  assert.equal(refused.code, 'unauthenticated');
  assert.equal(refused.category, 'not_allowed');
  assert.deepEqual((await keeper.devices()).map((device) => device.current), [true]);
  keeper.close();
  other.close();
});

test('the PIN locks after wrong tries and a face check resets it', async () => {
  const person = await newPerson('周五');
  const { client } = await openClient();
  await enrolAs(client, person);
  await client.syncCatalogue();
  const tries = client.rules()?.accountSecurity.pinTries;
  assert.ok(tries && tries > 1);
  const codes = [];
  for (let attempt = 0; attempt <= tries; attempt++) {
    codes.push((await rejection(client.pinGrant('246813', 'unlink_device'))).code);
  }
  assert.deepEqual(codes, [...Array(tries - 1).fill('pin_wrong'), 'pin_locked', 'pin_locked']);
  const locked = await rejection(client.pinGrant(TEST_PIN, 'unlink_device'));
  assert.equal(locked.code, 'pin_locked');
  assert.equal(locked.category, 'not_allowed');
  assert.match(locked.message, /锁定/);
  assert.ok((await client.checkNotices()).some((notice) => notice.kind === 'pin_locked'));

  const face = new SimulatedFace();
  await client.resetPin(face, '246813');
  assert.equal(face.requests[0].purpose, 'pin_reset');
  assert.ok((await client.pinGrant('246813', 'unlink_device')).length > 0);
  await client.changePin('246813', TEST_PIN);
  assert.ok((await client.pinGrant(TEST_PIN, 'unlink_device')).length > 0);
  assert.ok((await client.checkNotices()).some((notice) => notice.kind === 'pin_changed'));
  client.close();
});

test('the phone on record changes with the PIN, a face check and the old phone’s code', async () => {
  const person = await newPerson('吴六');
  const oldPhone = /** @type {string} */ (person.phone);
  const newPhone = `136${oldPhone.slice(3)}`;
  const { client } = await openClient();
  await enrolAs(client, person);
  const started = await client.changePhone(newPhone, new SimulatedFace(), TEST_PIN);
  assert.equal(started.codeSentTo, masked(oldPhone));
  const code = await latestCode(oldPhone);
  assert.ok(code);
  await client.confirmPhoneChange(started.changeId, code);
  const next = (await openClient()).client;
  await next.beginEnrolment(identityOf(person));
  assert.equal((await next.confirmPresence(new SimulatedFace())).codeSentTo, masked(newPhone));
  next.close();
  client.close();
});

test('a relative consents by face on the helper’s phone', async () => {
  const helper = await newPerson('郑七', { card: false });
  const relative = await newPerson('王八', { birth: '19480301' });
  const { client } = await openClient();
  await enrolAs(client, helper);
  await client.syncCatalogue();
  const undeclared = await rejection(
    client.requestMandate('family_proxy', identityOf(relative), null, ['show_code'], null, null, TEST_PIN),
  );
  assert.equal(undeclared.field, 'relationship');
  const submission = await client.requestMandate(
    'family_proxy', identityOf(relative), null, ['show_code', 'track'], null, 'child', TEST_PIN,
  );
  const delegationId = /** @type {string} */ (submission.delegationId);
  assert.ok(delegationId);
  const impostor = await rejection(client.consentMandateByFace(delegationId, identityOf(relative), new SimulatedFace('impostor')));
  assert.equal(impostor.code, 'identity_not_verified');
  const face = new SimulatedFace();
  const mandate = await client.consentMandateByFace(delegationId, identityOf(relative), face);
  assert.equal(mandate.status, 'active');
  assert.equal(face.requests[0].purpose, 'mandate_consent');
  assert.equal(face.requests[0].idNumber, relative.id_number);
  const card = client.snapshot().cards.find((view) => view.personId === relative.person_id);
  assert.ok(card);
  assert.equal((await client.currentCode(card.cardId, 'medical')).onBehalf, 'proxy');
  client.close();
});

test('a face check called with a bad object or answering the wrong type fails cleanly', async () => {
  const person = await newPerson('陈九');
  const { client } = await openClient();
  await client.beginEnrolment(identityOf(person));
  await assert.rejects(async () => client.confirmPresence(/** @type {any} */ ({})), /no method check/);
  const wrongType = await rejection(client.confirmPresence(/** @type {any} */ ({ check: () => 42 })));
  assert.equal(wrongType.code, 'face_check_unavailable');
  assert.equal(wrongType.category, 'network');
  assert.match(wrongType.detail, /string/);
  const thrown = await rejection(client.confirmPresence({ check: () => { throw new Error('camera busy'); } }));
  assert.equal(thrown.code, 'face_check_unavailable');
  assert.match(thrown.detail, /camera busy/);
  // Still the same enrolment: the real face check finishes it.
  const present = await client.confirmPresence(new SimulatedFace());
  assert.equal(present.pinRequired, true);
  client.close();
});

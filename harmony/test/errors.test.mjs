// @ts-check
/**
 * Typed errors through the binding: a real `Error` with a stable `code`,
 * a UI `category`, a localized `message` and the `field` at fault; and
 * failures of the JavaScript key store mapped to the core's errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  NodeKeyStore,
  SimulatedFace,
  TEST_PIN,
  dataDir,
  enrolAs,
  enrolPersona,
  freePort,
  identityOf,
  native,
  openClient,
  persona,
  rejection,
} from './support.mjs';

test('a bad ID number is an invalid_input on id_number, in Chinese or English', async () => {
  const elder = await persona('elder');
  const wrongDigit = elder.id_number.slice(0, 17) + (elder.id_number.endsWith('0') ? '1' : '0');
  const { client } = await openClient();
  const error = await rejection(client.beginEnrolment({ idType: 'resident_id', idNumber: wrongDigit, name: elder.name }));
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'EcardError');
  assert.equal(error.category, 'invalid_input');
  assert.equal(error.field, 'id_number');
  assert.match(error.code, /^id_/);
  assert.match(error.message, /[\u4e00-\u9fff]/, 'a Chinese message by default');
  assert.ok(error.detail.length > 0);
  assert.equal(client.snapshot().enrolled, false);

  const english = await openClient({ locale: 'en-GB' });
  assert.equal(english.client.locale(), 'en');
  const inEnglish = await rejection(
    english.client.beginEnrolment({ idType: 'resident_id', idNumber: wrongDigit, name: elder.name }),
  );
  assert.equal(inEnglish.code, error.code);
  assert.doesNotMatch(inEnglish.message, /[\u4e00-\u9fff]/);

  // A wrong name starts like any other enrolment (the answer says nothing);
  // the face check of the real person then fails.
  await client.beginEnrolment({ idType: 'resident_id', idNumber: elder.id_number, name: '王五' });
  const wrongName = await rejection(client.confirmPresence(new SimulatedFace()));
  assert.equal(wrongName.code, 'identity_not_verified');
  assert.equal(wrongName.category, 'invalid_input');
  assert.match(wrongName.message, /身份核验/);

  const badPhone = await rejection(client.changePhone('123', new SimulatedFace(), TEST_PIN));
  assert.equal(badPhone.field, 'new_phone');
  const shortPin = await rejection(client.pinGrant('1234', 'release_loss'));
  assert.equal(shortPin.field, 'pin');
  const badAction = await rejection(client.pinGrant(TEST_PIN, /** @type {any} */ ('open_sesame')));
  assert.equal(badAction.code, 'invalid_argument');
});

test('an unreachable platform is a network error, and the client says it is offline', async () => {
  const port = await freePort();
  const { client } = await openClient({ platformUrl: `http://127.0.0.1:${port}` });
  const elder = await persona('elder');
  const error = await rejection(client.beginEnrolment(identityOf(elder)));
  assert.equal(error.category, 'network');
  assert.match(error.code, /^(offline|timeout)$/);
  assert.match(error.message, /网络/);
  assert.equal(error.field, null);
  const sync = await rejection(client.syncCatalogue());
  assert.equal(sync.category, 'network');
  assert.equal(client.snapshot().online, false);
});

test('bad arguments, closed clients and unenrolled calls are typed errors too', async () => {
  const { client } = await openClient();
  const purpose = await rejection(client.currentCode(null, /** @type {any} */ ('teleport')));
  assert.equal(purpose.code, 'invalid_argument');
  assert.equal(purpose.field, 'purpose');
  assert.throws(() => client.search(/** @type {any} */ ({ text: 'x', cluster: 'nowhere' })), (error) => {
    assert.equal(/** @type {any} */ (error).category, 'invalid_input');
    return true;
  });
  const notEnrolled = await rejection(client.refreshProfile());
  assert.equal(notEnrolled.code, 'not_enrolled');
  assert.equal(notEnrolled.category, 'not_allowed');
  assert.equal(client.session(), null);
  assert.equal(client.cachedProfile(), null);

  client.close();
  assert.throws(() => client.snapshot(), (error) => {
    assert.equal(/** @type {any} */ (error).code, 'client_closed');
    return true;
  });
  const closed = await rejection(client.syncCatalogue());
  assert.equal(closed.code, 'client_closed');
});

test('key-store failures reach the core with their meaning', async () => {
  const { client, keyStore } = await enrolPersona('elder');
  await client.currentCode(null, 'transport');

  keyStore.failSigningWith = 'user_cancelled';
  const cancelled = await rejection(client.currentCode(null, 'transport'));
  assert.equal(cancelled.code, 'user_cancelled');
  assert.equal(cancelled.category, 'not_allowed');

  keyStore.failSigningWith = 'locked';
  const locked = await rejection(client.currentCode(null, 'transport'));
  assert.equal(locked.code, 'key_store_locked');
  assert.equal(locked.category, 'not_allowed');

  keyStore.failSigningWith = 'hardware_gone';
  const broken = await rejection(client.currentCode(null, 'transport'));
  assert.equal(broken.category, 'internal');
  assert.match(broken.detail, /signing refused/);

  keyStore.failSigningWith = null;
  const code = await client.currentCode(null, 'transport');
  assert.ok(code.text.startsWith('EC1:'), 'signing works again');
  client.close();
});

test('a suite the key store cannot make is refused with unsupported_suite, in Chinese or English', async () => {
  // The Node key store makes P-256 and SM2 keys, not Ed25519 (as HUKS here).
  for (const { locale, words } of [
    { locale: 'zh-CN', words: /签名算法/ },
    { locale: 'en', words: /signature algorithm/ },
  ]) {
    const { client } = await openClient({ locale, deviceSuite: 'ed25519' });
    const error = await rejection(client.beginEnrolment(identityOf(await persona('elder'))));
    assert.equal(error.code, 'unsupported_suite');
    assert.equal(error.category, 'not_allowed');
    assert.match(error.message, words);
    assert.equal(client.snapshot().enrolled, false);
    client.close();
  }
});

test('a key store answering the wrong type, or missing a method, fails cleanly', async () => {
  class WrongAnswers extends NodeKeyStore {
    /** @param {string} _alias @param {Uint8Array} _secret */
    // @ts-expect-error: deliberately the wrong type
    wrap(_alias, _secret) {
      return 'not bytes';
    }
  }
  const error = await rejection(
    native.EcardClient.open({ dataDir: dataDir(), platformUrl: 'http://127.0.0.1:9' }, /** @type {any} */ (new WrongAnswers())),
  );
  assert.equal(error.category, 'internal');
  assert.match(error.detail, /Uint8Array/);

  const incomplete = { generateKey: () => new Uint8Array(), publicKey: () => null };
  await assert.rejects(
    async () => native.EcardClient.open({ dataDir: dataDir(), platformUrl: 'http://127.0.0.1:9' }, /** @type {any} */ (incomplete)),
    /no method sign/,
  );
});

test('a key store kept across restarts reopens the same data', async () => {
  const keyStore = new NodeKeyStore();
  const directory = dataDir();
  const first = await openClient({ keyStore, directory });
  const elder = await persona('elder');
  await enrolAs(first.client, elder);
  first.client.close();
  const reopened = await openClient({ keyStore, directory });
  assert.equal(reopened.client.snapshot().enrolled, true, 'the data key unwraps through the JavaScript key store');
  assert.ok(keyStore.calls.unwrap >= 1);
  reopened.client.close();

  const lost = await openClient({ keyStore: new NodeKeyStore(), directory });
  const snapshot = lost.client.snapshot();
  assert.equal(snapshot.enrolled, false, 'a lost key store means the sealed data is gone');
  assert.ok(snapshot.recovery?.lost.includes('session'));
  lost.client.close();
});

// @ts-check
/**
 * 扫一扫, 扫码登录 and 谁查看了我的信息 through the binding, against a real
 * platform: a relying party registered by the admin shows a login QR code;
 * `classifyScan` reads it, `loginRequest` answers the registered name (not
 * text from the QR code), `approveLogin` with the PIN makes an
 * authorisation that `authorisations` lists and `revokeAuthorisation` ends;
 * a second request is denied. A hospital registered as a service point
 * resolves the person's medical code online; `accessRecords` lists the
 * look-up, `reportAccessRecord` ("这不是我") goes through the outbox and the
 * record then carries the report.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

import { TEST_PIN, admin, enrolAs, identityOf, native, newPerson, openClient, platform, rejection } from './support.mjs';

const require = createRequire(import.meta.url);
/** The compiled wrapper, typed by its sources (a computed path keeps tsc on the sources). */
const compiled = (/** @type {string} */ name) => require(`../build/node-test/${name}.js`);
/** @type {typeof import('../src/main/ets/Login.js')} */
const { LoginConsent, accessRecordDays, authorisationList, claimLabels, loginMandates, reportAccessRecord, scanRoute, secondsUntil } =
  compiled('Login');

const REDIRECT = 'https://rp.example/callback';
/** RFC 7636 appendix B: an S256 challenge. */
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

/**
 * Registers a relying party; returns its client id.
 * @param {string} name
 */
async function registerRelyingParty(name) {
  const answer = await admin('POST', '/admin/relying-parties', {
    name,
    kind: 'counter_pc',
    redirect_uris: [REDIRECT],
    scopes: ['openid', 'profile', 'id_number', 'social_security'],
  });
  return /** @type {string} */ (answer.client_id);
}

/**
 * Starts a login as a browser does; returns the text of the page's QR code.
 * @param {string} clientId
 * @param {string} scope
 */
async function loginCode(clientId, scope) {
  const { url } = await platform();
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope,
    state: 'state-1',
    nonce: 'nonce-1',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
  });
  const response = await fetch(`${url}/oauth/authorize?${query}`, { redirect: 'manual' });
  const page = await response.text();
  assert.equal(response.status, 200, page);
  const found = /ECLOGIN1:[A-Za-z0-9_-]+/.exec(page);
  assert.ok(found, 'the page shows a login code');
  return found[0];
}

/** A new person with a card, enrolled on a fresh client. */
async function enrolledNewPerson(/** @type {string} */ name) {
  const person = await newPerson(name);
  const opened = await openClient();
  await enrolAs(opened.client, person);
  return { ...opened, person };
}

test('classifyScan tells a login code from an e-card code from other text', () => {
  assert.deepEqual(native.classifyScan('ECLOGIN1:lr-abc\n'), { kind: 'login', loginRequestId: 'lr-abc' });
  assert.deepEqual(native.classifyScan('ECLOGIN1:../me'), { kind: 'malformed_login', loginRequestId: null });
  assert.deepEqual(native.classifyScan('EC1:6BFOXN*TS0BI$ZD'), { kind: 'e_card_code', loginRequestId: null });
  assert.deepEqual(native.classifyScan('https://example.com'), { kind: 'unknown', loginRequestId: null });
});

test('a scanned login is shown from the registration, approved with the PIN, listed and revoked', async () => {
  const { client } = await enrolledNewPerson('赵登录');
  const clientId = await registerRelyingParty('江西人社网上办事大厅');

  const scanned = native.classifyScan(await loginCode(clientId, 'openid profile id_number'));
  assert.equal(scanned.kind, 'login');
  assert.ok(scanned.loginRequestId);
  const request = await client.loginRequest(scanned.loginRequestId);
  assert.equal(request.requestId, scanned.loginRequestId);
  assert.equal(request.relyingParty.name, '江西人社网上办事大厅');
  assert.equal(request.relyingParty.kind, 'counter_pc');
  assert.deepEqual(request.scopes, ['openid', 'profile', 'id_number']);
  assert.equal(request.status, 'pending');
  assert.ok(request.expiresAt > client.trustedNow());

  // A wrong PIN approves nothing; the right one does.
  const wrong = await rejection(client.approveLogin(request.requestId, '000000'));
  assert.equal(wrong.code, 'pin_wrong');
  const decision = await client.approveLogin(request.requestId, TEST_PIN, null);
  assert.equal(decision.status, 'approved');
  assert.ok(decision.authorisationId);

  const listed = await client.authorisations();
  const mine = listed.find((entry) => entry.authorisationId === decision.authorisationId);
  assert.ok(mine, 'the approval is in 我的授权');
  assert.equal(mine.relyingParty.name, '江西人社网上办事大厅');
  assert.equal(mine.forSelf, true);
  assert.ok(mine.revokedAt === null || mine.revokedAt === undefined);

  const revoked = await client.revokeAuthorisation(mine.authorisationId);
  assert.ok(typeof revoked.revokedAt === 'number');

  // A second request, denied.
  const second = native.classifyScan(await loginCode(clientId, 'openid'));
  assert.ok(second.loginRequestId);
  const denied = await client.denyLogin(second.loginRequestId);
  assert.equal(denied.status, 'denied');
  // A malformed id never reaches a request path.
  const malformed = await rejection(client.loginRequest('../me'));
  assert.equal(malformed.category, 'invalid_input');
  client.close();
});

test('a hospital look-up shows in the access records and is reported as not me', async () => {
  const { client, person } = await enrolledNewPerson('钱查看');
  const operator = await admin('POST', '/admin/operators', {
    name: '南昌大学第一附属医院',
    kind: 'hospital',
    purposes: ['medical'],
    location: '象山北路17号门诊大厅',
  });
  const code = await client.currentCode(null, 'medical');
  const { url } = await platform();
  const response = await fetch(`${url}/v1/service-point/resolutions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${operator.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ terminal_id: 't1', code: code.text }),
  });
  const resolution = /** @type {any} */ (await response.json());
  assert.equal(response.status, 200, JSON.stringify(resolution));

  const page = await client.accessRecords(null, null);
  assert.equal(page.records.length, 1);
  assert.equal(page.nextBefore, null);
  const record = page.records[0];
  assert.equal(record.recordId, resolution.record_id);
  assert.equal(record.personId, person.person_id);
  assert.equal(record.operatorName, '南昌大学第一附属医院');
  assert.equal(record.operatorKind, 'hospital');
  assert.equal(record.location, '象山北路17号门诊大厅');
  assert.equal(record.terminalId, 't1');
  assert.equal(record.purpose, 'medical');
  assert.ok(record.disclosed.includes('pseudonym'));
  assert.equal(record.report, null);
  assert.deepEqual(client.accessRecordsCached(null), page.records);

  const bad = await rejection(client.reportAccessRecord(record.recordId, /** @type {any} */ ('because')));
  assert.equal(bad.category, 'invalid_input');
  const tooLong = await rejection(client.reportAccessRecord(record.recordId, 'not_me', '长'.repeat(501)));
  assert.equal(tooLong.category, 'invalid_input');

  await client.reportAccessRecord(record.recordId, 'not_me', '我那天不在南昌');
  await client.processOutbox();
  const reported = await client.accessRecords(null, null);
  assert.equal(reported.records[0].report?.reason, 'not_me');
  assert.equal(reported.records[0].report?.note, '我那天不在南昌');
  client.close();
});

test('the wrapper routes scans, words claims, counts down and orders the lists', () => {
  assert.deepEqual(scanRoute('ECLOGIN1:lr-abc'), { kind: 'login', requestId: 'lr-abc' });
  assert.deepEqual(scanRoute('EC1:ABC'), { kind: 'e_card_code' });
  assert.deepEqual(scanRoute('ECLOGIN1:lr/abc'), { kind: 'not_recognised' });
  assert.deepEqual(scanRoute('hello'), { kind: 'not_recognised' });
  assert.deepEqual(claimLabels(['social_security', 'openid', 'id_number', 'profile', 'profile']), [
    'name',
    'id_number',
    'social_security_card',
  ]);
  assert.deepEqual(claimLabels(['openid']), ['only_who_you_are']);
  assert.equal(secondsUntil(1_120, 1_000), 120);
  assert.equal(secondsUntil(1_000, 5_000), 0);

  /** @param {string} id @param {string} agent @param {any} status @param {any[]} scopes @returns {any} */
  const mandate = (id, agent, status, scopes) => ({ delegationId: id, agentAccountId: agent, status, scopes });
  const offered = loginMandates(
    [
      mandate('a', 'me', 'active', ['show_code', 'login']),
      mandate('b', 'me', 'active', ['show_code']),
      mandate('c', 'me', 'pending_consent', ['login']),
      mandate('d', 'other', 'active', ['login']),
    ],
    'me',
  );
  assert.deepEqual(offered.map((entry) => entry.delegationId), ['a']);

  /** @param {string} id @param {number} at @param {number | null} revokedAt @returns {any} */
  const authorisation = (id, at, revokedAt) => ({ authorisationId: id, authorisedAt: at, revokedAt });
  const list = authorisationList([authorisation('old', 10, null), authorisation('gone', 30, 40), authorisation('new', 20, null)]);
  assert.deepEqual(list.active.map((entry) => entry.authorisationId), ['new', 'old']);
  assert.deepEqual(list.revoked.map((entry) => entry.authorisationId), ['gone']);

  // 2026-03-01 23:30 and 2026-03-02 00:30 China time are different days (UTC would say one).
  /** @param {string} id @param {number} at @returns {any} */
  const record = (id, at) => ({ recordId: id, at });
  const late = 1_772_379_000;
  const days = accessRecordDays([record('a', late), record('b', late + 3_600), record('c', late + 3_540)]);
  assert.deepEqual(days.map((day) => day.date), ['2026-03-02', '2026-03-01']);
  assert.deepEqual(days[0].records.map((entry) => entry.recordId), ['b', 'c']);
});

test('the consent screen of the wrapper approves with the PIN and its report goes through the outbox', async () => {
  const { client } = await enrolledNewPerson('孙同意');
  const clientId = await registerRelyingParty('南昌市民之家自助机');
  const route = scanRoute(await loginCode(clientId, 'openid social_security'));
  assert.equal(route.kind, 'login');
  if (route.kind !== 'login') return;
  const consent = new LoginConsent(client);
  assert.equal(await consent.open(route.requestId), null);
  assert.equal(consent.request?.relyingParty.name, '南昌市民之家自助机');
  assert.deepEqual(consent.claims, ['social_security_card']);
  assert.deepEqual(consent.mandates, []);
  assert.ok(consent.secondsLeft > 0 && consent.secondsLeft <= 120);
  consent.choose('not-a-mandate');
  assert.equal(consent.onBehalfOf, null);
  const wrong = await consent.approve('000000');
  assert.ok(wrong !== null && wrong.message.length > 0);
  assert.equal(consent.outcome, null);
  assert.equal(await consent.approve(TEST_PIN), null);
  assert.equal(consent.outcome, 'approved');
  // Decided: a second decision does nothing.
  assert.equal(await consent.deny(), null);
  assert.equal(consent.outcome, 'approved');

  const tooLong = await reportAccessRecord(client, 'ar-unknown', 'not_me', '长'.repeat(501));
  assert.ok(tooLong !== null);
  assert.equal(tooLong.category, 'invalid_input');
  client.close();
});

test('a family member logs in for a relative under a mandate with the login scope', async () => {
  const relative = await newPerson('周桂英', { birth: '19480101' });
  const { client } = await enrolledNewPerson('周明');
  await client.syncCatalogue();
  const submission = await client.requestMandate('family_proxy', identityOf(relative), null, ['track', 'login'], null, 'child', TEST_PIN);
  const delegationId = /** @type {string} */ (submission.delegationId);
  assert.ok(delegationId, JSON.stringify(submission));
  await admin('POST', `/admin/delegations/${delegationId}/consent`);

  const clientId = await registerRelyingParty('江西省人社厅网上办事大厅');
  const route = scanRoute(await loginCode(clientId, 'openid profile'));
  assert.equal(route.kind, 'login');
  if (route.kind !== 'login') return;
  const consent = new LoginConsent(client);
  assert.equal(await consent.open(route.requestId), null);
  assert.deepEqual(consent.mandates.map((mandate) => mandate.delegationId), [delegationId]);
  consent.choose(delegationId);
  assert.equal(consent.onBehalfOf, delegationId);
  assert.equal(await consent.approve(TEST_PIN), null);
  assert.equal(consent.outcome, 'approved');

  const entry = (await client.authorisations()).find((authorisation) => authorisation.onBehalfOf === delegationId);
  assert.ok(entry, 'the login for the relative is in 我的授权');
  assert.equal(entry.forSelf, false);
  client.close();
});

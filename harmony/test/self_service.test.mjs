// @ts-check
/**
 * Social-insurance self-service (issue 18) through the binding, against the
 * real platform: 待遇资格认证 by a daughter with her mother's face (and her
 * own refused) after the reminder; 权益记录 by year and insurance, offline
 * with its freshness; a 参保证明 kept, shared as a PDF file and checked by
 * code and by file (a changed file refused); the card's payments and the
 * financial loss report (金融功能挂失) queued offline, then sent, with the
 * bank's hotline. Offline is a client reopened on its data directory with a
 * platform address where nothing listens.
 *
 * The elder (刘桂兰) is the seeded persona: certified at a counter 330 days
 * before the platform first started, she comes due within days; the test
 * moves the platform clock only as far as the due window.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createRequire } from 'node:module';
import { test } from 'node:test';

import {
  SimulatedFace,
  TEST_PIN,
  advanceDays,
  enrolPersona,
  identityOf,
  openClient,
  persona,
  rejection,
} from './support.mjs';

const require = createRequire(import.meta.url);
/** The compiled wrapper, typed by its sources (a computed path keeps tsc on the sources). */
const compiled = (/** @type {string} */ name) => require(`../build/node-test/${name}.js`);
/** @type {typeof import('../src/main/ets/SelfService.js')} */
const {
  ageText,
  amountText,
  bankFunctionLabel,
  certificateKindLabel,
  certificateStateLabel,
  certifyEligibility,
  daysLeft,
  eligibilityHint,
  eligibilityLabel,
  eligibilityMandates,
  freshnessNote,
  groupedCode,
  insuranceLabel,
  insurancesOf,
  paymentSourceLabel,
  reminderText,
  reportFinancialLoss,
  yearRows,
  yuan,
} = compiled('SelfService');

/** Nothing listens on port 9 (discard) here: the platform is unreachable. */
const UNREACHABLE = 'http://127.0.0.1:9';

/**
 * Reopens a client on the same data directory and key store, online or not.
 * @template {{ client: import('../index.js').EcardClient, keyStore: import('./support.mjs').NodeKeyStore, directory: string }} T
 * @param {T} opened
 * @param {boolean} online
 * @returns {Promise<T>}
 */
async function reopen(opened, online) {
  opened.client.close();
  const again = await openClient({
    keyStore: opened.keyStore,
    directory: opened.directory,
    ...(online ? {} : { platformUrl: UNREACHABLE }),
  });
  return { ...opened, client: again.client };
}

/**
 * Waits until `events` holds one that `matches` (events arrive on the event loop).
 * @param {import('../index.js').ClientEvent[]} events
 * @param {(event: import('../index.js').ClientEvent) => boolean} matches
 */
async function eventually(events, matches) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const found = events.find(matches);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return undefined;
}

test('the wrapper says money, ages, freshness and eligibility in plain words', () => {
  assert.equal(yuan(0), '0.00');
  assert.equal(yuan(5), '0.05');
  assert.equal(yuan(123_456), '1,234.56');
  assert.equal(yuan(312_000_00), '312,000.00');
  assert.equal(amountText(268_050, 'zh-CN'), '2,680.50 元');
  assert.equal(amountText(268_050, 'en'), '¥2,680.50');
  assert.equal(ageText(30, 'zh-CN'), '刚刚');
  assert.equal(ageText(3 * 3_600 + 5, 'zh-CN'), '3 小时前');
  assert.equal(ageText(2 * 86_400, 'en'), '2 days ago');
  assert.deepEqual(freshnessNote({ fetchedAt: 0, ageSeconds: 10, stale: false, offline: false }, 'zh-CN'), {
    offline: false,
    stale: false,
    text: null,
  });
  assert.equal(
    freshnessNote({ fetchedAt: 0, ageSeconds: 2 * 86_400, stale: true, offline: true }, 'zh-CN').text,
    '离线 · 可能不是最新（2 天前更新）',
  );
  assert.equal(
    freshnessNote({ fetchedAt: 0, ageSeconds: 120, stale: false, offline: true }, 'en').text,
    'Offline (updated 2 min ago)',
  );
  assert.equal(eligibilityLabel('due', 'zh-CN'), '待认证');
  assert.equal(eligibilityLabel('suspended', 'zh-CN'), '养老金已暂停发放');
  assert.equal(eligibilityLabel('certified', 'en'), 'Certified');
  assert.equal(insuranceLabel('work_injury', 'zh-CN'), '工伤保险');
  assert.equal(certificateKindLabel('participation', 'zh-CN'), '参保证明');
  assert.equal(certificateStateLabel('valid', 'en'), 'Valid');
  assert.equal(paymentSourceLabel('pension', 'zh-CN'), '养老金');
  assert.equal(groupedCode('ABCDEFGHJKMNPQRS'), 'ABCD EFGH JKMN PQRS');
  // 2026-11-30 15:59:59 UTC is still the 30th in China; a second later the 1st.
  const lastSecondOf30th = Date.UTC(2026, 10, 30, 15, 59, 59) / 1000;
  assert.equal(daysLeft('2026-12-30', lastSecondOf30th), 30);
  assert.equal(daysLeft('2026-12-30', lastSecondOf30th + 1), 29);
  assert.equal(daysLeft('2026-11-29', lastSecondOf30th), -1);
});

test('eligibility: a daughter certifies her mother with her mother’s face once it is due; her own face is refused', async () => {
  const { client, person: daughter, session } = await enrolPersona('resident');
  await client.syncCatalogue(); // the region's rules, which a mandate request checks
  const mother = await persona('elder');

  // One account holds one mandate per person: an earlier one (the family
  // test's, without these scopes) is revoked before asking again.
  for (const mandate of await client.mandates()) {
    const open = mandate.status === 'active' || mandate.status === 'pending_consent';
    if (open && mandate.principalPersonId === mother.person_id && mandate.agentAccountId === session.accountId) {
      assert.equal((await client.revokeMandate(mandate.delegationId)).state, 'done');
    }
  }

  // 亲情代办 with the scopes of the self-service, consented by the mother's face on this phone.
  const requested = await client.requestMandate(
    'family_proxy',
    identityOf(mother),
    null,
    ['eligibility', 'records', 'track'],
    null,
    'child',
    TEST_PIN,
  );
  assert.equal(requested.state, 'done', JSON.stringify(requested));
  const delegationId = /** @type {string} */ (requested.delegationId);
  const consented = await client.consentMandateByFace(delegationId, identityOf(mother), new SimulatedFace());
  assert.equal(consented.status, 'active');
  const forFamily = eligibilityMandates(await client.mandates(), session.accountId);
  assert.ok(
    forFamily.some((mandate) => mandate.delegationId === delegationId && mandate.principalPersonId === mother.person_id),
    '为家人认证 offers the mother',
  );

  // The daughter draws no pension.
  const own = await client.eligibility(null);
  assert.equal(own.status.state, 'not_required');
  assert.equal(own.actionNeeded, false);

  /** @type {import('../index.js').ClientEvent[]} */
  const events = [];
  const subscription = client.subscribe((event) => events.push(event));

  // The mother is certified for about a month more: move the platform clock into the due window.
  let status = await client.eligibility(mother.person_id);
  assert.ok(status.status.dueBy, JSON.stringify(status));
  if (status.status.state === 'certified') {
    const firstReminder = status.status.reminders[0];
    assert.ok(firstReminder, 'reminders before the due date');
    const { now } = await advanceDays(0);
    await advanceDays(Math.max(0, daysLeft(firstReminder.on, now)));
    status = await client.eligibility(mother.person_id);
  }
  assert.equal(status.status.state, 'due', JSON.stringify(status.status));
  assert.equal(status.actionNeeded, true);
  assert.equal(status.freshness.offline, false);
  assert.equal(eligibilityLabel(status.status.state, 'zh-CN'), '待认证');
  assert.match(eligibilityHint(status, client.trustedNow(), 'zh-CN'), /^还有 \d+ 天，请在 \d{4}-\d{2}-\d{2} 前完成认证$/);

  // The reminder comes as an event, once.
  const reminder = await eventually(events, (event) => event.kind === 'eligibility_reminder');
  assert.ok(reminder && reminder.kind === 'eligibility_reminder', JSON.stringify(events));
  assert.equal(reminder.personId, mother.person_id);
  assert.equal(reminder.dueBy, status.status.dueBy);
  assert.equal(reminder.suspended, false);
  assert.ok(status.status.reminders.some((entry) => entry.daysBefore === reminder.daysBefore && entry.due));
  assert.match(reminderText(reminder, 'zh-CN') ?? '', /前完成待遇资格认证/);
  assert.equal(await client.remindEligibility(), 0, 'a reminder is told once');
  assert.equal(client.eligibilityCached(mother.person_id)?.status.state, 'due');

  // The daughter's own face: refused, nothing certified.
  const ownFace = new SimulatedFace();
  const refused = await rejection(client.certifyEligibility(mother.person_id, identityOf(daughter), ownFace));
  assert.equal(refused.code, 'identity_not_verified', JSON.stringify(refused));
  assert.equal(ownFace.requests[0]?.idNumber, daughter.id_number);
  assert.equal((await client.eligibility(mother.person_id)).status.state, 'due');

  // Her mother's face on the daughter's phone (through the wrapper): certified, the daughter named as helper.
  const motherFace = new SimulatedFace();
  const done = await certifyEligibility(client, mother.person_id, identityOf(mother), motherFace);
  assert.ok(done.ok, JSON.stringify(done));
  assert.equal(done.view.status.state, 'certified');
  assert.equal(done.view.actionNeeded, false);
  assert.equal(motherFace.requests.length, 1);
  assert.equal(motherFace.requests[0].purpose, 'eligibility_check');
  assert.equal(motherFace.requests[0].idNumber, mother.id_number);
  const last = done.view.status.lastCertification;
  assert.equal(last?.method, 'face');
  assert.equal(last?.helperAccountId, session.accountId);
  assert.ok(last?.deviceId);
  assert.equal(await client.remindEligibility(), 0, 'the next reminders are a year away');
  assert.ok(client.exportPersonalData().eligibility.some((entry) => entry.personId === mother.person_id));
  subscription.cancel();
  client.close();
});

test('records by year and insurance show offline with how fresh they are', async () => {
  let opened = await enrolPersona('elder');
  assert.equal(opened.client.insuranceRecordsCached(null), null);
  const view = await opened.client.insuranceRecords(null);
  assert.equal(view.personId, opened.person.person_id);
  assert.deepEqual(
    { offline: view.freshness.offline, stale: view.freshness.stale },
    { offline: false, stale: false },
  );
  assert.equal(freshnessNote(view.freshness, 'zh-CN').text, null);
  assert.ok(view.pension, 'she draws a pension');
  assert.ok(view.years.length > 30, `${view.years.length} years`);
  for (let index = 1; index < view.years.length; index++) {
    assert.ok(view.years[index - 1].year > view.years[index].year, 'newest year first');
  }
  const first = view.years[view.years.length - 1];
  assert.equal(first.year, 1969);
  assert.deepEqual(insurancesOf(view).slice(0, 1), ['pension']);

  // One year of one insurance: its months add up to the year's line.
  const months = opened.client.insuranceRecordMonths(null, 1969, 'pension');
  assert.ok(months.length > 0 && months.length <= 12, `${months.length} months`);
  assert.ok(months.every((month) => month.month.startsWith('1969-') && month.insurance === 'pension'));
  const pensionRows = yearRows(view, 'pension');
  const row1969 = pensionRows.find((row) => row.year === 1969);
  assert.ok(row1969);
  assert.equal(months.reduce((sum, month) => sum + month.personal, 0), row1969.personal);
  assert.equal(row1969.months, months.length);
  assert.deepEqual(opened.client.insuranceRecordMonths(null, 1969, 'work_injury').length, 0);
  const allOf1969 = opened.client.insuranceRecordMonths(null, 1969, null);
  assert.ok(allOf1969.length >= months.length);
  const invalid = (() => {
    try {
      opened.client.insuranceRecordMonths(null, 1969, /** @type {any} */ ('lottery'));
    } catch (error) {
      return /** @type {import('../index.js').EcardError} */ (error);
    }
    return null;
  })();
  assert.equal(invalid?.field, 'insurance');

  // Offline: the record kept, marked offline.
  opened = await reopen(opened, false);
  const offline = await opened.client.insuranceRecords(null);
  assert.equal(offline.freshness.offline, true);
  assert.deepEqual(offline.years, view.years);
  assert.match(freshnessNote(offline.freshness, 'zh-CN').text ?? '', /^离线（.*更新）$/);
  assert.deepEqual(opened.client.insuranceRecordMonths(null, 1969, 'pension'), months);

  // Two days on, what is kept may not be the latest; online again it is confirmed.
  opened = await reopen(opened, true);
  await advanceDays(2);
  await opened.client.checkNotices();
  const kept = opened.client.insuranceRecordsCached(null);
  assert.ok(kept);
  assert.equal(kept.freshness.stale, true);
  assert.match(freshnessNote(kept.freshness, 'zh-CN').text ?? '', /可能不是最新/);
  const again = await opened.client.insuranceRecords(null);
  assert.equal(again.freshness.stale, false);
  assert.deepEqual(again.years, view.years);
  assert.equal(opened.client.exportPersonalData().insuranceRecords.length, 1);
  opened.client.close();
});

test('a certificate is kept, shared as a PDF file and checked by code; a changed file is refused', async () => {
  let opened = await enrolPersona('elder');
  const { client } = opened;
  const issued = await client.requestCertificate({ kind: 'participation' });
  assert.equal(issued.saved, true);
  assert.equal(issued.expired, false);
  const certificate = issued.certificate;
  assert.equal(certificate.personId, opened.person.person_id);
  assert.equal(certificate.requestedBy, 'holder');
  assert.match(certificate.verificationCode, /^[0-9A-Z]{16}$/);

  // One plain copy for the share sheet, named for what it is.
  const path = await client.certificateFile(certificate.certificateId);
  assert.ok(existsSync(path), path);
  assert.equal(basename(path), `参保证明-${certificate.verificationCode}.pdf`);
  const file = readFileSync(path);
  assert.equal(file.subarray(0, 4).toString('latin1'), '%PDF');
  const pdf = await client.certificatePdf(certificate.certificateId);
  assert.ok(pdf instanceof Uint8Array);
  assert.equal(pdf.length, certificate.size);
  assert.deepEqual(Buffer.from(pdf), file);

  // Anyone checks it by its code, as typed (lower case, a hyphen), and by the file.
  const typed = certificate.verificationCode.toLowerCase();
  const check = await client.checkCertificate(`${typed.slice(0, 8)}-${typed.slice(8)}`);
  assert.equal(check.state, 'valid');
  assert.equal(check.kind, 'participation');
  assert.equal(check.nameMasked, '刘**');
  assert.equal(certificateStateLabel(check.state, 'zh-CN'), '有效');
  assert.equal((await client.checkCertificateFile(pdf)).state, 'valid');
  const tampered = new Uint8Array(pdf);
  tampered[Math.floor(tampered.length / 2)] ^= 0x01;
  const refused = await rejection(client.checkCertificateFile(tampered));
  assert.equal(refused.code, 'certificate_invalid', JSON.stringify(refused));
  const malformed = await rejection(client.checkCertificate('not-a-code'));
  assert.equal(malformed.field, 'code');

  // A contribution record of some years; the share copy is replaced.
  const record = await client.requestCertificate({ kind: 'contribution_record', insurance: 'pension', fromYear: 1990, toYear: 2000 });
  assert.equal(record.certificate.kind, 'contribution_record');
  assert.equal(record.certificate.fromYear, 1990);
  const second = await client.certificateFile(record.certificate.certificateId);
  assert.match(basename(second), /^缴费证明-/);
  assert.equal(existsSync(path), false, 'one plain copy at a time');
  const backwards = await rejection(client.requestCertificate({ kind: 'contribution_record', fromYear: 2000, toYear: 1990 }));
  assert.equal(backwards.field, 'from_year');

  // Known here, newest first (both may be of the same second), and the PDF opens offline.
  const cached = client.certificatesCached(null);
  assert.deepEqual(
    cached.map((view) => view.certificate.certificateId).sort(),
    [record.certificate.certificateId, certificate.certificateId].sort(),
  );
  assert.ok(cached[0].certificate.issuedAt >= cached[1].certificate.issuedAt);
  assert.ok(cached.every((view) => view.saved));
  opened = await reopen(opened, false);
  assert.deepEqual(Buffer.from(await opened.client.certificatePdf(certificate.certificateId)), file);
  assert.equal(opened.client.exportPersonalData().certificates.length, 2);
  opened.client.close();
});

test('the certificates list comes from the platform (GET /v1/me/certificates), and offline from this phone', async () => {
  let opened = await enrolPersona('elder');
  const issued = await opened.client.requestCertificate({ kind: 'participation', insurance: 'pension' });
  const listed = await opened.client.certificates(null);
  assert.ok(listed.some((view) => view.certificate.certificateId === issued.certificate.certificateId));
  for (let index = 1; index < listed.length; index++) {
    assert.ok(listed[index - 1].certificate.issuedAt >= listed[index].certificate.issuedAt, 'newest first');
  }
  assert.ok(listed.every((view) => view.certificate.personId === opened.person.person_id));
  assert.ok(listed.find((view) => view.certificate.certificateId === issued.certificate.certificateId)?.saved);
  opened = await reopen(opened, false);
  const offline = await opened.client.certificates(null);
  // The same certificates (those of one second may come in another order).
  assert.deepEqual(
    offline.map((view) => view.certificate.certificateId).sort(),
    listed.map((view) => view.certificate.certificateId).sort(),
  );
  for (let index = 1; index < offline.length; index++) {
    assert.ok(offline[index - 1].certificate.issuedAt >= offline[index].certificate.issuedAt, 'newest first');
  }
  opened.client.close();
});

test('payments, and a financial loss report queued offline, sent online, with the bank’s hotline', async () => {
  let opened = await enrolPersona('elder');
  const cardId = opened.client.snapshot().cards[0].cardId;
  const account = await opened.client.financialAccount(cardId);
  assert.equal(account.account.cardId, cardId);
  assert.equal(account.account.state, 'active');
  assert.match(account.account.accountMasked, /\*{4}/);
  assert.equal(account.freshness.offline, false);
  const hotline = account.account.bank.hotline;
  assert.match(hotline ?? '', /^\d{5,}$/, 'the bank’s hotline');
  assert.equal(bankFunctionLabel(account.account.state, 'zh-CN'), '正常');

  // Her pension and subsidies, newest first, page by page.
  const page = await opened.client.payments(null, null);
  assert.ok(page.payments.some((payment) => payment.source === 'pension'), JSON.stringify(page.payments));
  for (let index = 1; index < page.payments.length; index++) {
    assert.ok(page.payments[index - 1].paidOn >= page.payments[index].paidOn, 'newest first');
  }
  const pension = page.payments.find((payment) => payment.source === 'pension');
  assert.ok(pension && pension.amountFen > 0 && pension.months.length >= 1);
  assert.match(amountText(pension.amountFen, 'zh-CN'), /^[\d,]+\.\d{2} 元$/);
  let seen = page.payments.length;
  if (page.nextBefore !== null && page.nextBefore !== undefined) {
    const older = await opened.client.payments(null, page.nextBefore);
    const newer = new Set(page.payments.map((payment) => payment.paymentId));
    assert.ok(older.payments.every((payment) => !newer.has(payment.paymentId)));
    seen += older.payments.length;
  }
  assert.equal(opened.client.paymentsCached(null).length, seen);
  const negative = await rejection(opened.client.payments(null, -1));
  assert.equal(negative.field, 'before');

  // Offline: the account and payments last fetched; the report waits in the outbox, the hotline is there.
  opened = await reopen(opened, false);
  const offline = await opened.client.financialAccount(cardId);
  assert.equal(offline.freshness.offline, true);
  assert.deepEqual(offline.account, account.account);
  assert.equal((await opened.client.payments(null, null)).payments.length, seen);
  const queued = await reportFinancialLoss(opened.client, cardId);
  assert.equal(queued.done, false);
  assert.notEqual(queued.submission.state, 'done');
  assert.equal(queued.hotline, hotline);
  assert.ok(opened.client.outbox().some((entry) => entry.id === queued.submission.outboxId));

  // Online: sent; the bank function is reported lost, the codes work on.
  opened = await reopen(opened, true);
  const sent = await opened.client.retrySubmission(queued.submission.outboxId);
  assert.equal(sent.state, 'done', JSON.stringify(sent));
  const reported = await opened.client.financialAccount(cardId);
  assert.equal(reported.account.state, 'loss_reported');
  assert.equal(typeof reported.account.lossReportedAt, 'number');
  assert.equal(bankFunctionLabel(reported.account.state, 'zh-CN'), '已挂失（请致电银行完成挂失）');
  const code = await opened.client.currentCode(cardId, 'medical');
  assert.ok(code.text.startsWith('EC1:'));
  const exported = opened.client.exportPersonalData();
  assert.equal(exported.financialAccounts.length, 1);
  assert.equal(exported.payments.length, seen);
  opened.client.close();
});

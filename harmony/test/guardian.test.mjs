// @ts-check
/**
 * A guardian through the binding and the ArkTS wrapper: 出生一件事 (the
 * hospital reports the birth, the parent files one form, the births list
 * shows one progress line that moves on the platform clock), and a
 * 16-year-old's card — refused alone with the core's guardian_required
 * message, while his guardian allows the e-card on his own phone
 * (`setWardECard`) and sets his PIN (`setWardPin`).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

import { TEST_PIN, admin, advanceDays, enrolPersona, identityOf, persona, rejection } from './support.mjs';

const require = createRequire(import.meta.url);
/** The compiled wrapper, typed by its sources (a computed path keeps tsc on the sources). */
const compiled = (/** @type {string} */ name) => require(`../build/node-test/${name}.js`);
/** @type {typeof import('../src/main/ets/Ecard.js')} */
const { Ecard } = compiled('Ecard');

/** The core's zh-CN message for `guardian_required` (core/src/error.rs). */
const GUARDIAN_REQUIRED = '未满18周岁的持卡人办理此业务需由法定监护人代办。请让监护人在他们的手机上为您办理。';

/**
 * The platform's China date `days` before its clock's now, as `YYYY-MM-DD`.
 * @param {number} days
 */
async function chinaDateBefore(days) {
  const { now } = await advanceDays(0);
  return new Date((now + 8 * 3_600 - days * 86_400) * 1_000).toISOString().slice(0, 10);
}

/**
 * How many stages of a birth's progress line were reached.
 * @param {import('../index.js').BirthFlow} flow
 */
function reached(flow) {
  return flow.stages.filter((stage) => stage.at !== null).length;
}

test('a parent registers the birth in one form and follows one progress line', async () => {
  const { client } = await enrolPersona('resident');
  await client.syncCatalogue();
  const ecard = new Ecard(client);
  assert.equal(ecard.birthInOneSubmission(), true, 'Jiangxi takes the birth and the card in one submission');
  assert.ok(ecard.newbornPhotoExemptUnderAge() > 0, 'and needs no photo of a newborn');
  const resident = await persona('resident');

  // The hospital reports a birth two days ago, the resident as the father.
  const born = await chinaDateBefore(2);
  const certificate = `P${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
  await admin('POST', '/admin/birth-certificates', {
    certificate_number: certificate,
    child_name: '张小苗',
    sex: 'female',
    birth_date: born,
    mother_id_number: null,
    father_id_number: resident.id_number,
    hospital: '江西省妇幼保健院',
  });
  const outlet = ecard.nearestOutlets(28.6829, 115.8579, 'card_pickup', 1)[0];
  assert.ok(outlet);
  const rules = ecard.rules();
  assert.ok(rules);
  /** @param {string} number @returns {import('../index.js').BirthForm} */
  const form = (number) => ({
    birthCertificate: number,
    childName: '张小苗',
    sex: 'female',
    birthDate: born,
    otherParent: null,
    householdRegion: '360102',
    householdAddress: '江西省南昌市东湖区八一大道188号3栋2单元501室',
    bank: rules.banks[0].code,
    phone: '13800138000',
    delivery: { method: 'pickup', outletId: outlet.outlet.id },
  });
  const before = (await ecard.births()).length;

  // A certificate no hospital reported: refused, nothing kept.
  const unknown = await rejection(ecard.registerBirth(form('P360100999')));
  assert.equal(unknown.code, 'identity_not_verified');
  assert.equal((await ecard.births()).length, before);

  const submission = await ecard.registerBirth(form(certificate));
  assert.equal(submission.state, 'done');
  let births = await ecard.births();
  assert.equal(births.length, before + 1);
  let flow = births.find((candidate) => candidate.birth.birthDate === born && candidate.birth.personId === null);
  assert.ok(flow, JSON.stringify(births));
  assert.deepEqual(
    flow.stages.map((stage) => stage.step),
    ['submitted', 'household_registered', 'card_in_production', 'card_on_its_way', 'card_received'],
  );
  assert.equal(reached(flow), 1);
  assert.equal(flow.stages[1].label, '户口已登记');
  const birthId = flow.birth.birthId;

  // The household registration (a day), then production within the hour.
  await advanceDays(1);
  await admin('POST', '/admin/clock/advance', { seconds: 7_200 });
  births = await ecard.births();
  flow = births.find((candidate) => candidate.birth.birthId === birthId);
  assert.ok(flow);
  assert.equal(reached(flow), 3, JSON.stringify(flow.stages));
  assert.equal(flow.birth.state, 'registered');
  const mandateId = flow.birth.mandateId;
  const applicationId = flow.birth.applicationId;
  assert.ok(mandateId && applicationId && flow.birth.personId);
  const mandate = (await ecard.mandates()).find((entry) => entry.delegationId === mandateId);
  assert.ok(mandate);
  assert.equal(mandate.kind, 'guardian');
  assert.equal(mandate.status, 'active');
  const application = await client.application(applicationId);
  assert.equal(application.application.personId, flow.birth.personId);
  assert.equal(application.application.mandateId, mandateId);
  client.close();
});

test('a 16-year-old is refused alone; his guardian allows his e-card and sets his PIN', async () => {
  const { client: own, person: student } = await enrolPersona('student');
  await own.syncCatalogue();
  const card = own.snapshot().cards.find((entry) => entry.role === 'holder');
  assert.ok(card);

  // Reporting his own card lost alone: the core's guardian_required message.
  const refused = await rejection(own.reportLoss(card.cardId, 'temporary'));
  assert.equal(refused.code, 'guardian_required');
  assert.equal(refused.category, 'not_allowed');
  assert.equal(refused.message, GUARDIAN_REQUIRED);
  assert.equal(new Ecard(own).describe(refused).message, GUARDIAN_REQUIRED, 'the error view shows it as is');

  const { client: parent } = await enrolPersona('resident');
  await parent.syncCatalogue();
  const guardian = new Ecard(parent);
  assert.ok(student.household_register, 'the student is in the household register');
  const submission = await parent.requestMandate(
    'guardian',
    identityOf(student),
    { kind: 'household_register', number: student.household_register },
    ['apply', 'replace', 'report_loss', 'activate', 'show_code', 'track'],
    null,
    null,
    TEST_PIN,
  );
  const delegationId = submission.delegationId;
  assert.ok(delegationId);
  const ward = async () => (await guardian.mandates()).find((entry) => entry.delegationId === delegationId);
  assert.equal((await ward())?.wardECardSince, null, 'not allowed yet');

  // The switch: allowed on his own phone with the guardian's PIN; his phone shows codes.
  const allowed = await guardian.setWardECard(delegationId, true, TEST_PIN);
  assert.equal(allowed.state, 'done');
  const since = (await ward())?.wardECardSince;
  assert.equal(typeof since, 'number');
  await own.refreshProfile();
  await own.refreshAllCredentials();
  const code = await own.currentCode(card.cardId, 'transport');
  assert.match(code.text, /^EC1:/);

  // His PIN, set by the guardian: he confirms acts with it.
  await guardian.setWardPin(delegationId, '602718', TEST_PIN);
  assert.ok((await own.pinGrant('602718', 'consent_mandate')).length > 0);

  // Withdrawn: the switch is off again.
  const withdrawn = await guardian.setWardECard(delegationId, false, TEST_PIN);
  assert.equal(withdrawn.state, 'done');
  assert.equal((await ward())?.wardECardSince, null);
  own.close();
  parent.close();
});

// @ts-check
/**
 * Acting for others through the binding: a guardian applies for the
 * newborn's card (新生儿出生一件事: one form, the card mailed home), and a
 * family member, once the relative consented at a counter, shows the
 * relative's medical code (亲情服务).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { TEST_PIN, admin, enrolPersona, persona, testPhoto } from './support.mjs';

test('a guardian applies for the newborn and pays the postage', async () => {
  const { client } = await enrolPersona('resident');
  await client.syncCatalogue();
  const newborn = await persona('newborn');
  assert.ok(newborn.birth_certificate, 'the newborn has a birth certificate on file');

  const mandate = await client.requestMandate(
    'guardian',
    { idType: newborn.id_type, idNumber: newborn.id_number, name: newborn.name },
    { kind: 'birth_certificate', number: newborn.birth_certificate },
    ['apply', 'track', 'show_code'],
    null,
    null,
    TEST_PIN,
  );
  assert.equal(mandate.state, 'done');
  const mandates = await client.mandates();
  const guardian = mandates.find((entry) => entry.kind === 'guardian' && entry.principalPersonId === newborn.person_id);
  assert.ok(guardian, JSON.stringify(mandates));
  assert.equal(guardian.status, 'active');

  const submission = await client.submitApplication({
    personId: newborn.person_id,
    photoJpeg: testPhoto(),
    bank: 'icbc',
    phone: '13800138000',
    delivery: { method: 'mail', address: '江西省南昌市东湖区八一大道 1 号', phone: '13800138000' },
  });
  const applicationId = client.submittedApplicationId(submission);
  assert.ok(applicationId);
  const flows = await client.applications();
  let flow = flows.find((candidate) => candidate.applicationId === applicationId);
  assert.ok(flow);
  assert.equal(flow.application.personId, newborn.person_id);
  assert.equal(flow.application.mandateId, guardian.delegationId);
  const rules = client.rules();
  assert.ok(rules);
  assert.deepEqual(flow.step, { kind: 'pay', amountFen: rules.postageFen });
  assert.equal(flow.cannotCancelOnceSubmitted, !rules.cancelAfterSubmit);

  await flow.pay();
  flow = await flow.refresh();
  assert.equal(flow.step.kind, 'in_production');
  assert.deepEqual(
    flow.progress.map((stage) => stage.label).slice(0, 2),
    ['数据录入', '已缴费'],
  );
  const audit = await client.auditTrail();
  assert.ok(audit.some((entry) => entry.mandateId === guardian.delegationId && entry.principalPersonId === newborn.person_id));
  client.close();
});

test('a family proxy shows the relative’s medical code after consent at the counter', async () => {
  const { client } = await enrolPersona('resident');
  await client.syncCatalogue();
  const elder = await persona('elder');

  const submission = await client.requestMandate(
    'family_proxy',
    { idType: elder.id_type, idNumber: elder.id_number, name: elder.name },
    null,
    ['show_code', 'track'],
    null,
    'child',
    TEST_PIN,
  );
  assert.equal(submission.state, 'done');
  const delegationId = /** @type {string} */ (submission.delegationId);
  assert.ok(delegationId, JSON.stringify(submission));
  let mandate = (await client.mandates()).find((entry) => entry.delegationId === delegationId);
  assert.equal(mandate?.status, 'pending_consent');

  // 刘桂兰 consents at a service counter.
  await admin('POST', `/admin/delegations/${delegationId}/consent`);
  mandate = (await client.mandates()).find((entry) => entry.delegationId === delegationId);
  assert.equal(mandate?.status, 'active');

  const profile = await client.refreshProfile();
  const principal = profile.principals.find((person) => person.personId === elder.person_id);
  assert.ok(principal, 'the relative appears among the people acted for');
  assert.equal(principal.nameMasked, '刘**');
  const cardId = principal.cards[0].cardId;
  const card = client.snapshot().cards.find((view) => view.cardId === cardId);
  assert.ok(card);
  assert.notEqual(card.role, 'holder');

  const code = await client.currentCode(cardId, 'medical');
  assert.ok(code.text.startsWith('EC1:'));
  assert.equal(code.onBehalf, 'proxy');
  assert.equal(code.purpose, 'medical');
  client.close();
});

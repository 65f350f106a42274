// @ts-check
/**
 * The conformance scenarios (bindings/conformance/scenarios.json), run
 * through the Node-API binding. The Kotlin suite runs the same list
 * through UniFFI (ConformanceTest.kt), so a behaviour the two bindings do
 * not share fails one of them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { dataDir, native, platform, rejection } from './support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
/** @type {{ scenarios: any[] }} */
const list = JSON.parse(readFileSync(join(here, '..', '..', 'bindings', 'conformance', 'scenarios.json'), 'utf8'));

/**
 * The error a call throws.
 * @param {() => unknown} call
 * @returns {import('../index.js').EcardError}
 */
function thrown(call) {
  try {
    call();
  } catch (error) {
    return /** @type {import('../index.js').EcardError} */ (error);
  }
  throw new Error('expected a throw');
}

/** A key store whose every call stays pending for ever. */
const never = () => new Promise(() => {});
const silentKeyStore = {
  generateKey: never,
  publicKey: never,
  sign: never,
  deleteKey: never,
  wrap: never,
  unwrap: never,
};

/** @type {Record<string, (scenario: any) => Promise<void> | void>} */
const run = {
  async panic(scenario) {
    const error = scenario.async ? await rejection(native.debugPanicAsync()) : thrown(() => native.debugPanic());
    assert.equal(error.category, scenario.expect.category);
    assert.equal(error.code, scenario.expect.code);
  },
  error(scenario) {
    const error = thrown(() => native.debugError(scenario.error, scenario.locale));
    assert.ok(error instanceof Error);
    assert.equal(error.category, scenario.expect.category);
    assert.equal(error.code, scenario.expect.code);
    assert.equal(error.message, scenario.expect.message);
    assert.equal(error.field, scenario.expect.field);
  },
  async lagged(scenario) {
    /** @type {import('../index.js').ClientEvent[]} */
    const events = [];
    const subscription = native.debugLaggedSubscription((event) => events.push(event), scenario.emitted, scenario.capacity);
    const wanted = 1 + scenario.expect.thenOutboxPending.length;
    for (let attempt = 0; attempt < 200 && events.length < wanted; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    subscription.cancel();
    assert.deepEqual(events, [
      { kind: 'missed', count: scenario.expect.missed },
      ...scenario.expect.thenOutboxPending.map((/** @type {number} */ pending) => ({ kind: 'outbox_changed', pending })),
    ]);
  },
  mask(scenario) {
    assert.equal(native.maskPersonalData(scenario.text), scenario.expect);
  },
  async log(scenario) {
    /** @type {{ level: string, message: string }[]} */
    const lines = [];
    native.setLogger((level, _target, message) => {
      if (message.startsWith('conformance')) lines.push({ level, message });
    }, scenario.maxLevel);
    try {
      native.debugLog(scenario.level, scenario.message);
      // The logger is called on the JavaScript thread: let it run.
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      native.setLogger(null, 'error');
    }
    assert.deepEqual(lines, scenario.expect ? [scenario.expect] : []);
  },
  async key_store_timeout(scenario) {
    const { url } = await platform();
    const started = Date.now();
    const error = await rejection(
      native.EcardClient.open(
        { dataDir: dataDir(), platformUrl: url, keyStoreTimeoutSeconds: scenario.timeoutSeconds },
        /** @type {any} */ (silentKeyStore),
      ),
    );
    assert.ok(Date.now() - started < scenario.withinSeconds * 1000);
    assert.equal(error.category, scenario.expect.category);
    assert.equal(error.code, scenario.expect.code);
  },
  purpose_label(scenario) {
    assert.equal(native.purposeLabel(scenario.purpose, scenario.locale), scenario.expect);
  },
  step_label(scenario) {
    assert.equal(native.stepLabel(scenario.step, scenario.locale), scenario.expect);
  },
  error_action(scenario) {
    const action = native.errorAction(scenario.category, scenario.code);
    assert.deepEqual({ action, label: native.errorActionLabel(action, scenario.locale) }, scenario.expect);
  },
  countdown(scenario) {
    const { issuedAt, expiresAt, secondsLeft } = scenario.code;
    const countdown = new native.CodeCountdown(issuedAt, expiresAt, secondsLeft, scenario.receivedAt);
    const left = countdown.secondsLeft(scenario.at);
    assert.deepEqual(
      { secondsLeft: left, needsRefresh: countdown.needsRefresh(scenario.at), text: native.countdownText(left) },
      scenario.expect,
    );
  },
  config_defaults(scenario) {
    const config = native.defaultConfig('/data/ecard', 'https://ecard.example.cn');
    const { dataDir, platformUrl, ...defaults } = config;
    assert.deepEqual([dataDir, platformUrl], ['/data/ecard', 'https://ecard.example.cn']);
    assert.deepEqual(defaults, scenario.expect);
  },
  flow_action(scenario) {
    const plan = () => native.debugPlanAction(scenario.stepAmountFen, scenario.feeFen, scenario.cardId, scenario.action);
    if (scenario.expectError) {
      const error = thrown(plan);
      assert.equal(error.category, scenario.expectError.category);
      assert.equal(error.code, scenario.expectError.code);
    } else {
      assert.deepEqual(plan(), scenario.expect);
    }
  },
};

for (const scenario of list.scenarios) {
  test(`conformance: ${scenario.name}`, async () => {
    const runner = run[scenario.kind];
    assert.ok(runner, `the Node suite knows the scenario kind ${scenario.kind}`);
    await runner(scenario);
  });
}

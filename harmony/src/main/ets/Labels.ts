/**
 * Words the screens show for the core's enum values, in zh-CN and en.
 * Purposes, flow steps and money come from the core (the same words on
 * every platform, see `ecard_core::presentation`); the tab names are the
 * UI's own.
 */
import {
  countdownText as coreCountdownText,
  formatFen as coreFormatFen,
  purposeLabel as corePurposeLabel,
  stepLabel as coreStepLabel,
} from 'libecard_harmony.so';
import type { AppAction, FlowStep, Locale, Purpose } from 'libecard_harmony.so';

type Pair = [string, string];

function pick(locale: Locale, pair: Pair): string {
  return locale === 'en' ? pair[1] : pair[0];
}

export function purposeLabel(purpose: Purpose, locale: Locale): string {
  return corePurposeLabel(purpose, locale);
}

/** Money in fen as yuan, e.g. 1000 → "¥10.00". */
export function formatFen(fen: number): string {
  return coreFormatFen(fen);
}

/** Seconds as `m:ss` (`0:45`) for the code screen's countdown. */
export function countdownText(seconds: number): string {
  return coreCountdownText(seconds);
}

/** What the application screen says about where a flow stands. */
export function stepLabel(step: FlowStep, locale: Locale): string {
  return coreStepLabel(step, locale);
}

export type Tab = 'code' | 'services' | 'outlets' | 'card' | 'family';

const TABS: Record<Tab, Pair> = {
  code: ['电子社保卡', 'E-card'],
  services: ['服务', 'Services'],
  outlets: ['网点', 'Outlets'],
  card: ['卡务', 'Card'],
  family: ['亲情服务', 'Family'],
};

export function tabLabel(tab: Tab, locale: Locale): string {
  return pick(locale, TABS[tab]);
}

/**
 * The tab whose screen runs an item's app action (申领, 挂失, 出示电子社保卡,
 * 亲情代办, 网点…), or null when the app has no screen for it: then the
 * item's details open instead.
 */
export function actionTab(action: AppAction | null | undefined): Tab | null {
  switch (action) {
    case 'show_code':
      return 'code';
    case 'apply_for_card':
    case 'replace_card':
    case 'change_bank':
    case 'report_loss':
    case 'release_loss':
    case 'activate_social_function':
    case 'track_production':
      return 'card';
    case 'apply_for_newborn_card':
    case 'act_for_family':
      return 'family';
    case 'find_outlet':
      return 'outlets';
    default:
      // change_pin, apply_for_electronic_card: no screen of their own yet.
      return null;
  }
}

/** The order of the app's tabs (their index in the tab bar). */
export const TABS_IN_ORDER: readonly Tab[] = ['code', 'services', 'outlets', 'card', 'family'];

/**
 * Words the screens show for the core's enum values, in zh-CN and en.
 * The core localizes errors and progress stages itself; these are the
 * few labels that belong to the UI (tab names, purposes, flow steps).
 */
import type { FlowStep, Locale, Purpose } from 'libecard_harmony.so';

type Pair = [string, string];

function pick(locale: Locale, pair: Pair): string {
  return locale === 'en' ? pair[1] : pair[0];
}

const PURPOSES: Record<Purpose, Pair> = {
  transport: ['乘车码', 'Transport'],
  medical: ['就医码', 'Medical'],
  identity: ['身份码', 'Identity'],
  culture_tourism: ['文旅码', 'Culture & tourism'],
};

export function purposeLabel(purpose: Purpose, locale: Locale): string {
  return pick(locale, PURPOSES[purpose]);
}

/** Money in fen as yuan, e.g. 1000 → "¥10.00". */
export function formatFen(fen: number): string {
  return `¥${(fen / 100).toFixed(2)}`;
}

/** What the application screen says about where a flow stands. */
export function stepLabel(step: FlowStep, locale: Locale): string {
  switch (step.kind) {
    case 'waiting_to_send':
      return pick(locale, ['等待联网提交', 'Waiting to send']);
    case 'pay':
      return pick(locale, [`待缴费 ${formatFen(step.amountFen)}`, `To pay ${formatFen(step.amountFen)}`]);
    case 'in_production':
      return pick(locale, ['制卡中', 'In production']);
    case 'in_transit':
      return pick(locale, ['已寄出，请留意查收', 'Posted, on its way']);
    case 'collect_at_outlet':
      return pick(locale, ['请到网点领卡，领取后点“确认收到”', 'Collect it at the outlet, then confirm']);
    case 'activate':
      return pick(locale, ['请启用社保功能', 'Enable the social-security function']);
    case 'resubmit_photo':
      return pick(locale, [`制卡失败：${step.reason}，请重新上传照片`, `Production failed: ${step.reason}. Send a new photo`]);
    case 'done':
      return pick(locale, ['已完成', 'Done']);
    case 'cancelled':
      return pick(locale, ['已撤销', 'Cancelled']);
  }
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

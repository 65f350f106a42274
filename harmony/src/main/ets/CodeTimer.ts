/**
 * The countdown of the code screen, as plain logic (no timers inside), so
 * the ArkUI page only ticks it once a second and the Node tests run it.
 *
 * Why the countdown follows the code's own times and a clock offset rather
 * than the phone's clock alone: codes carry the platform's time, and a
 * phone whose clock is off would otherwise count down to the wrong moment.
 */
import { CodeCountdown } from 'libecard_harmony.so';
import type { CodeView } from 'libecard_harmony.so';

/** Refresh this many seconds before expiry, so a code never dies at a gate (the core's margin). */
export const REFRESH_MARGIN_SECONDS = 5;

/** The core's countdown (`ecard_core::presentation::CodeCountdown`) with the code it counts. */
export class CodeTimer {
  private readonly code: CodeView;
  private readonly countdown: CodeCountdown;

  /**
   * @param code the code just made
   * @param localNowSeconds the phone's clock when it arrived (Date.now() / 1000)
   */
  constructor(code: CodeView, localNowSeconds: number) {
    this.code = code;
    this.countdown = new CodeCountdown(code.issuedAt, code.expiresAt, code.secondsLeft, localNowSeconds);
  }

  /** The QR content. */
  get text(): string {
    return this.code.text;
  }

  /** Whole seconds left at the phone's time `localNowSeconds`. */
  secondsLeft(localNowSeconds: number): number {
    return this.countdown.secondsLeft(localNowSeconds);
  }

  /** 1 when fresh, 0 when expired: for a progress ring. */
  fraction(localNowSeconds: number): number {
    return this.countdown.fraction(localNowSeconds);
  }

  /** Whether to fetch the next code now. */
  needsRefresh(localNowSeconds: number): boolean {
    return this.countdown.needsRefresh(localNowSeconds);
  }
}

/**
 * The countdown of the code screen, as plain logic (no timers inside), so
 * the ArkUI page only ticks it once a second and the Node tests run it.
 *
 * Why the countdown follows the code's own times and a clock offset rather
 * than the phone's clock alone: codes carry the platform's time, and a
 * phone whose clock is off would otherwise count down to the wrong moment.
 */
import type { CodeView } from 'libecard_harmony.so';

/** Refresh this many seconds before expiry, so a code never dies at a gate. */
export const REFRESH_MARGIN_SECONDS = 5;

export class CodeTimer {
  private readonly code: CodeView;
  /** Platform time minus local time when the code was made, in seconds. */
  private readonly offsetSeconds: number;

  /**
   * @param code the code just made
   * @param localNowSeconds the phone's clock when it arrived (Date.now() / 1000)
   */
  constructor(code: CodeView, localNowSeconds: number) {
    this.code = code;
    this.offsetSeconds = code.expiresAt - code.secondsLeft - localNowSeconds;
  }

  /** The QR content. */
  get text(): string {
    return this.code.text;
  }

  /** Whole seconds left at the phone's time `localNowSeconds`. */
  secondsLeft(localNowSeconds: number): number {
    const platformNow = localNowSeconds + this.offsetSeconds;
    return Math.max(0, Math.floor(this.code.expiresAt - platformNow));
  }

  /** 1 when fresh, 0 when expired: for a progress ring. */
  fraction(localNowSeconds: number): number {
    const lifetime = Math.max(1, this.code.expiresAt - this.code.issuedAt);
    return Math.min(1, this.secondsLeft(localNowSeconds) / lifetime);
  }

  /** Whether to fetch the next code now. */
  needsRefresh(localNowSeconds: number): boolean {
    return this.secondsLeft(localNowSeconds) <= REFRESH_MARGIN_SECONDS;
  }
}
